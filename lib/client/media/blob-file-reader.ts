import type { FileReader, FileSource } from "tus-js-client";

/**
 * tus-js-client file reader for Blobs in every environment (its Node build reads only Buffers
 * and streams): slices are Blobs, which both XMLHttpRequest and fetch send without copying.
 */
export const blobFileReader: FileReader = {
  async openFile(input: unknown): Promise<FileSource> {
    if (!(input instanceof Blob)) throw new Error("The media queue uploads Blobs only");
    return {
      size: input.size,
      slice: async (start: number, end: number) => ({ value: input.slice(start, end), done: end >= input.size }),
      close: () => undefined,
    };
  },
};
