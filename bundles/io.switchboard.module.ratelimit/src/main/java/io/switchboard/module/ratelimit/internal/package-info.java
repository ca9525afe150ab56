/**
 * The rate limit module: private implementation, nothing exported. Start reading at
 * {@link io.switchboard.module.ratelimit.internal.RateLimitModule}.
 */
package io.switchboard.module.ratelimit.internal;
