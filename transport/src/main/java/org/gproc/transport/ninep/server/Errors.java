package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.NinePException;

/**
 * The server core's error strings, worded as Plan 9's lib9p ({@code srv.c}) and kernel word them, so 9P clients
 * that compare strings (and people who know Plan 9) recognise them. Where the bare wording would not say which rule
 * was broken, {@link #of} appends the detail after a colon: {@code "bad offset: directory reads must continue at
 * 120 or restart at 0"}.
 */
public final class Errors {
    public static final String UNKNOWN_FID = "unknown fid";
    public static final String FID_IN_USE = "fid in use";
    public static final String FID_NOT_OPEN = "fid not open";
    public static final String FILE_ALREADY_OPEN = "file already open";
    public static final String CANNOT_CLONE_OPEN_FID = "cannot clone open fid";
    public static final String BAD_OFFSET = "bad offset";
    public static final String PERMISSION_DENIED = "permission denied";
    public static final String NOT_A_DIRECTORY = "not a directory";
    public static final String IS_A_DIRECTORY = "is a directory";
    public static final String WALK_IN_NON_DIRECTORY = "walk in non-directory";
    public static final String CREATE_IN_NON_DIRECTORY = "create in non-directory";
    public static final String TOO_MANY_WALK_NAMES = "too many names in walk";
    public static final String BAD_NAME = "bad file name";
    public static final String BAD_OPEN_MODE = "bad open mode";
    public static final String SHORT_COUNT = "i/o count too small";
    public static final String DUPLICATE_TAG = "duplicate tag";
    public static final String NO_AUTH = "authentication not required";
    public static final String VERSION_FIRST = "Tversion must be the first message";
    public static final String MSIZE_TOO_SMALL = "version: message size too small";
    public static final String UNEXPECTED_MESSAGE = "unexpected message";
    public static final String TOO_MANY_FIDS = "too many fids";
    public static final String INTERRUPTED = "interrupted";
    public static final String INTERNAL = "internal error in file server";

    private Errors() {}

    /** {@code rule} alone when {@code detail} is null, else {@code "rule: detail"}. */
    public static NinePException of(String rule, String detail) {
        return new NinePException(detail == null ? rule : rule + ": " + detail);
    }

    public static NinePException of(String rule) {
        return new NinePException(rule);
    }
}
