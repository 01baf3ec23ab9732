/* The Storage contract against MemoryStorage, the core tests' storage (also run on XS). */

import { storageContract } from "../contract/storage-contract";
import { MemoryStorage } from "../support/memory-storage";

storageContract("MemoryStorage", () => {
  const storage = new MemoryStorage();
  return { storage, reopen: () => storage };
});
