// Replacing a small state file so that a crash leaves either the old content or the new, never half
// of one: write a temporary file beside it, fsync, rename over. Used for the file tail's offsets and
// the keys Courier manages on each destination.
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/** replaceAtomically("/var/lib/courier/x.json", (h) => h.write("…")): the directory is made (0700) when missing. */
export async function replaceAtomically(file: string, write: (handle: FileHandle) => Promise<unknown>) {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const handle = await open(temp, "w", 0o600);
    try {
      await write(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
