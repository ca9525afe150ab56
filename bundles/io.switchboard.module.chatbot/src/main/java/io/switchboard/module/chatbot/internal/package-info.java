/**
 * The chatbot module: private implementation, nothing exported. Start reading at
 * {@link io.switchboard.module.chatbot.internal.ChatbotModule}.
 */
package io.switchboard.module.chatbot.internal;
