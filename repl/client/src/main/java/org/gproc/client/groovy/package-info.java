/**
 * Groovy extension methods over {@code org.gproc.client}: closure forms of the Java API, nothing the Java API
 * cannot do. Trust model: none of its own; scripts run with the control node user's rights.
 */
package org.gproc.client.groovy;
