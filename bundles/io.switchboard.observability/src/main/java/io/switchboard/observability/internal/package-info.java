/**
 * The broker's metrics and health on the HTTP Whiteboard: {@code /metrics} in the Prometheus text format,
 * {@code /health/live} and {@code /health/ready}. Private.
 */
package io.switchboard.observability.internal;
