/* SPDX-License-Identifier: GPL-2.0 */
/* Hash map entries made on first use, safe against another CPU making the same one. */
#ifndef ATTRPROF_MAPS_BPF_H
#define ATTRPROF_MAPS_BPF_H

#include <bpf/bpf_helpers.h>

/*
 * Inserts a copy of init at key unless an entry is there already. Returns
 * the entry at key then, ours or the one another CPU inserted first, or
 * NULL when the map is full.
 */
static __always_inline void *map_try_insert(void *map, const void *key, const void *init)
{
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/* The entry at key, a copy of init inserted when there is none. NULL when the map is full. */
static __always_inline void *map_lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	return v ? v : map_try_insert(map, key, init);
}

#endif /* ATTRPROF_MAPS_BPF_H */
