/**
 * Reading and writing inventories for {@link org.gproc.client.Inventory}. Not an API.
 *
 * <p>Trust model: an inventory file is the user's own, as trusted as a shell profile. The declarative subset of
 * ConfigSlurper that inventories use is read by {@code InventoryScript} without compiling or running anything; only a
 * file that uses more Groovy is handed to ConfigSlurper, which runs it as code. {@code GPROC_NODES} is data only.
 */
package org.gproc.client.internal.inventory;
