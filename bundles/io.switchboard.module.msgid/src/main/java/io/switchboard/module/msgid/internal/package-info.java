/**
 * The message id module: private implementation, nothing exported. Start reading at
 * {@link io.switchboard.module.msgid.internal.SnowflakeIds}.
 */
package io.switchboard.module.msgid.internal;
