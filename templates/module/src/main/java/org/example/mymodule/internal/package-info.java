/**
 * The module's implementation: private (not exported). The broker finds the module as a
 * {@code MessageModule} service; nothing else needs to see these classes.
 */
package org.example.mymodule.internal;
