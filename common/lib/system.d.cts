/** The absolute path of a program on PATH (or the usual sbin folders), or undefined. */
export declare function which(name: string): string | undefined;
/** Like `which`, but throws naming how to install the program. */
export declare function findExecutable(name: string, installHint: string): string;
/** A port the OS says is free on 127.0.0.1 right now. */
export declare function freePort(): Promise<number>;
/** Resolves true when nothing listens on the port (on any local address). */
export declare function isPortFree(port: number): Promise<boolean>;
/** Resolves once something accepts connections on 127.0.0.1:port, or rejects after timeoutMs. */
export declare function waitForPort(port: number, timeoutMs?: number): Promise<void>;
