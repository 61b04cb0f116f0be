/**
 * Creates `dir` if missing and takes every permission for group and others away from it and
 * everything below it (folders 0700, files at most 0600). Symbolic links are left alone.
 */
export declare function makePrivate(dir: string): void;
