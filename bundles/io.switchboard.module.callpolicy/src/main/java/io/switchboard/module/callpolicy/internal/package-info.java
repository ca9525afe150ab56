/**
 * The call policy module: private implementation, nothing exported. Start reading at
 * {@link io.switchboard.module.callpolicy.internal.CallPolicyModule}.
 */
package io.switchboard.module.callpolicy.internal;
