/**
 * The authentication and authorisation module: private implementation, nothing exported. Start reading
 * at {@link io.switchboard.module.auth.internal.AuthModule}.
 */
package io.switchboard.module.auth.internal;
