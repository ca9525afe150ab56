/**
 * The audit module: private implementation, nothing exported. Start reading at
 * {@link io.switchboard.module.audit.internal.AuditModule}.
 */
package io.switchboard.module.audit.internal;
