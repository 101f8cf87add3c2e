package org.gproc.client;

/**
 * An inventory that cannot be used. The message names the source and, for files, the line:
 * {@code inventory.groovy:12: node 'n3': port 70000 is out of range 1-65535}.
 */
public class InventoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InventoryException(String message) {
        super(message);
    }

    public InventoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
