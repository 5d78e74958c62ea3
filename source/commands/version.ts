/** The program's version, printed by --version and sent by the server. */
export const version = "0.1.0";
