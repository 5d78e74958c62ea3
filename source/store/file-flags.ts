/** How the store's own files are made. */
import { constants } from "node:fs";

/** O_EXCL and O_NOFOLLOW: a new file is made by us, never into one that exists or through a link. */
export const newFileFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
