/**
 * The profanity filter module: private implementation, nothing exported. Start reading at
 * {@link io.switchboard.module.profanity.internal.ProfanityModule}, the model module.
 */
package io.switchboard.module.profanity.internal;
