/*
 * multicast.c: joins and leaves an IPv4 multicast group on every network interface that has an
 * address, for the device's Udp (hosts/moddable/udp.ts), as plain C functions for XS FFI (the
 * esp32 manifest's ffi section declares them; mcconfig generates the glue, module "mc/ffi").
 *
 * Why: on ESP32 the SDK 8.2.3 socket module's own join (modules/network/socket/lwip/modSocket.c,
 * the `multicast` option) asks esp_netif_get_ip_info() about a NULL interface, which ESP-IDF
 * refuses (ESP_ERR_INVALID_ARG), so igmp_joingroup() is never called and lwIP drops datagrams
 * sent to the group (an Echo's SSDP search to 239.255.255.250). esp_netif_join_ip4_multicast_group()
 * runs the join in lwIP's own task, so it is safe to call from the XS task.
 *
 * Written for this project against ESP-IDF's esp_netif.h; no SDK code.
 */

#include <stdint.h>
#include "esp_netif.h"

static int32_t each_interface(const char *group, int join)
{
	esp_ip4_addr_t address;
	esp_netif_t *netif = NULL;
	int32_t done = 0;
	if (ESP_OK != esp_netif_str_to_ip4(group, &address))
		return -1;
	/* A multicast address is 224.0.0.0/4 (the first byte, in network order, is 224..239). */
	if (((address.addr & 0xff) < 224) || ((address.addr & 0xff) > 239))
		return -1;
	while ((netif = esp_netif_next_unsafe(netif)) != NULL) {
		esp_netif_ip_info_t info = {0};
		if ((ESP_OK != esp_netif_get_ip_info(netif, &info)) || (0 == info.ip.addr))
			continue;
		if (join ? (ESP_OK == esp_netif_join_ip4_multicast_group(netif, &address))
		         : (ESP_OK == esp_netif_leave_ip4_multicast_group(netif, &address)))
			done++;
	}
	return done;
}

/* Joins group ("239.255.255.250") on every interface with an address: how many joined, -1 for
   an address that is no IPv4 multicast address. */
int32_t multicast_join(char *group)
{
	return each_interface(group, 1);
}

/* Leaves group on every interface with an address: how many left, -1 as above. */
int32_t multicast_leave(char *group)
{
	return each_interface(group, 0);
}
