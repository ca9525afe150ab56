/**
 * The benchmark's pass-through module: private implementation, nothing exported.
 */
package io.switchboard.bench.passthrough;
