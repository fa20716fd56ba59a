// SPDX-License-Identifier: GPL-2.0

//! A generic netlink family from Rust, through the bindings the lab's patch
//! 0002 adds (`<net/genetlink.h>`, `<net/netlink.h>` and their inline
//! functions): family `lab_selftest`, version 1, one command ECHO (1) with a
//! u32 attribute VALUE (1) that the kernel validates against the family's
//! policy, and one multicast group `events`. ECHO answers VALUE + 1 to the
//! sender and sends the same to the group.

use kernel::bindings;
use kernel::prelude::*;

module! {
    type: GenlSmoke,
    name: "genl_smoke",
    author: "The netlink course",
    description: "Lab self-test: a generic netlink family with Rust bindings",
    license: "GPL",
}

/// The family's only command.
const CMD_ECHO: u8 = 1;
/// Its only attribute, a u32.
const ATTR_VALUE: usize = 1;

/// Everything the kernel keeps pointers to while the family is registered.
struct Family {
    family: bindings::genl_family,
    ops: [bindings::genl_small_ops; 1],
    groups: [bindings::genl_multicast_group; 1],
    policy: [bindings::nla_policy; ATTR_VALUE + 1],
}

/// The module: while it lives, the family is registered.
///
/// # Invariants
///
/// `family` is registered with the generic netlink core, and its pointers
/// (`small_ops`, `mcgrps`, `policy`) point into the same box, which is never
/// moved out of.
struct GenlSmoke {
    family: KBox<Family>,
}

// SAFETY: the family is only handed to the genetlink core, which may use it
// from any thread.
unsafe impl Send for GenlSmoke {}
// SAFETY: as above; `&GenlSmoke` gives access to nothing.
unsafe impl Sync for GenlSmoke {}

/// Copies `name` into a fixed-size C string field (it must be shorter, so
/// that a zero byte ends it).
fn set_name(field: &mut [u8], name: &[u8]) {
    field[..name.len()].copy_from_slice(name);
}

impl kernel::Module for GenlSmoke {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // SAFETY: all-zero is a valid value of these C structs (null
        // pointers, no callbacks, zero counts).
        let mut family: KBox<Family> = KBox::new(unsafe { core::mem::zeroed() }, GFP_KERNEL)?;
        let f = &mut *family;
        f.policy[ATTR_VALUE].type_ = bindings::NLA_U32 as u8;
        f.ops[0].cmd = CMD_ECHO;
        f.ops[0].doit = Some(echo_doit);
        set_name(&mut f.groups[0].name, b"events");
        set_name(&mut f.family.name, b"lab_selftest");
        f.family.version = 1;
        f.family.maxattr = ATTR_VALUE as u32;
        f.family.policy = f.policy.as_ptr();
        f.family.small_ops = f.ops.as_ptr();
        f.family.n_small_ops = 1;
        f.family.mcgrps = f.groups.as_ptr();
        f.family.n_mcgrps = 1;
        // Commands from 1 on get strict validation (unknown attributes and
        // trailing bytes are errors).
        f.family.resv_start_op = CMD_ECHO;
        f.family.module = module.as_ptr();
        // SAFETY: the family and what it points to are in a box that lives,
        // unmoved, until `drop` unregisters it.
        kernel::error::to_result(unsafe { bindings::genl_register_family(&mut f.family) })?;
        pr_info!("family lab_selftest id {} group events {}\n", f.family.id, f.family.mcgrp_offset);
        Ok(GenlSmoke { family })
    }
}

impl Drop for GenlSmoke {
    fn drop(&mut self) {
        // SAFETY: by the invariants, the family is registered.
        let err = unsafe { bindings::genl_unregister_family(&self.family.family) };
        pr_info!("family lab_selftest unregistered ({})\n", err);
    }
}

/// Builds a message ECHO with VALUE `value` from the family: an answer to
/// `info`'s sender, or (without `info`) an event.
///
/// # Safety
///
/// `family` is registered; `info`, if not null, is the request being handled.
unsafe fn echo_message(
    family: *const bindings::genl_family,
    info: *mut bindings::genl_info,
    value: u32,
) -> Result<*mut bindings::sk_buff> {
    // SAFETY: plain allocation.
    let skb = unsafe { bindings::genlmsg_new(bindings::NLA_HDRLEN + 4, bindings::GFP_KERNEL) };
    if skb.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `skb` is ours; `family` and `info` are valid (caller).
    let hdr = unsafe {
        if info.is_null() {
            bindings::genlmsg_put(skb, 0, 0, family, 0, CMD_ECHO)
        } else {
            bindings::genlmsg_put_reply(skb, info, family, 0, CMD_ECHO)
        }
    };
    // SAFETY: `skb` is ours and has room for the attribute (sized above).
    if hdr.is_null() || unsafe { bindings::nla_put_u32(skb, ATTR_VALUE as i32, value) } < 0 {
        // SAFETY: `skb` is ours and freed once.
        unsafe { bindings::nlmsg_free(skb) };
        return Err(Error::from_errno(-(bindings::EMSGSIZE as i32)));
    }
    // SAFETY: `hdr` came from `genlmsg_put*` on `skb`.
    unsafe { bindings::genlmsg_end(skb, hdr) };
    Ok(skb)
}

/// ECHO: answer VALUE + 1, and send it to group `events`.
///
/// # Safety
///
/// Called by the genetlink core with the request and its parsed attributes.
unsafe extern "C" fn echo_doit(_skb: *mut bindings::sk_buff, info: *mut bindings::genl_info) -> core::ffi::c_int {
    // SAFETY: the core passes a valid `info`, whose `attrs` has maxattr + 1
    // entries, each null or an attribute that passed the policy (a u32).
    let (family, attr) = unsafe { ((*info).family, *(*info).attrs.add(ATTR_VALUE)) };
    if attr.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: the policy checked that the attribute holds a u32.
    let value = unsafe { bindings::nla_get_u32(attr) }.wrapping_add(1);
    // SAFETY: `family` is ours and registered; `info` is the request.
    let event = unsafe { echo_message(family, core::ptr::null_mut(), value) };
    if let Ok(event) = event {
        // SAFETY: `event` is ours; the call consumes it (-ESRCH: no listener).
        unsafe { bindings::genlmsg_multicast(family, event, 0, 0, bindings::GFP_KERNEL) };
    }
    // SAFETY: as above.
    match unsafe { echo_message(family, info, value) } {
        // SAFETY: `reply` is ours; the call consumes it.
        Ok(reply) => unsafe { bindings::genlmsg_reply(reply, info) },
        Err(e) => e.to_errno(),
    }
}
