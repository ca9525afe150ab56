/**
 * The web console at {@code /} on the HTTP Whiteboard: a static page and its script, and the JSON servlets under
 * {@code /console/api/} it polls and posts to. Private.
 */
package io.switchboard.console.internal;
