/*
 * The FFI functions of hosts/moddable/native/multicast.c, as "mc/ffi" exposes them on esp32
 * (declared in hosts/moddable/manifest_multicast.json). A module-form file, like
 * ota-rollback.d.ts: the esp32 platform module casts its FFI instance to this.
 */

export interface MulticastNatives {
  /** Joins group on every interface with an address: how many joined; -1 for no multicast address. */
  multicast_join(group: string): number;
  /** Leaves group on every interface with an address: how many left; -1 as above. */
  multicast_leave(group: string): number;
}
