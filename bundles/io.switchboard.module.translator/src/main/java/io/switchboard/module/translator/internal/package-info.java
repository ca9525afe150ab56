/**
 * The translator module: private implementation, nothing exported. Start reading at
 * {@link io.switchboard.module.translator.internal.TranslatorModule}.
 */
package io.switchboard.module.translator.internal;
