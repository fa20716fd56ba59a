// SPDX-License-Identifier: GPL-2.0

//! Generic netlink: a *family* on `NETLINK_GENERIC` instead of a protocol
//! of our own (lesson 08).
//!
//! A module that registers a family with the kernel's generic netlink layer
//! (`net/netlink/genetlink.c`) hands it a description, and the layer does
//! what [`super::Socket`]'s handler does by hand in lessons 03-06:
//!
//! | what                         | protocol 31 ([`super::Socket`])        | generic netlink ([`Registration`])            |
//! |------------------------------|----------------------------------------|-----------------------------------------------|
//! | who is it                    | a protocol number, fixed               | a name; the kernel hands out the id           |
//! | which operation              | the handler matches `nlmsg_type`       | the kernel calls the [`Op`] of the command    |
//! | unknown operation            | the handler answers `EOPNOTSUPP`       | the kernel answers `EOPNOTSUPP`               |
//! | attributes                   | the handler parses with `wire::policy` | the kernel parses with the family's policy (strict), with extended ACKs |
//! | permission                   | the handler asks `may_admin()`         | the kernel checks `GENL_ADMIN_PERM` per op    |
//! | dumps                        | [`super::dump::start`]                 | the op's `.start/.dumpit/.done`, here [`Op::dump`] |
//! | multicast groups             | numbers 1..32                          | names; the kernel hands out the ids           |
//! | notifications, `NLM_F_ECHO`  | [`super::Request::notify`] (`nlmsg_notify`) | [`GenlRequest::notify`] (`genl_notify`)   |
//!
//! The C structures the kernel keeps pointers to while the family is
//! registered (`struct genl_family`, its `genl_ops`, `nla_policy` and
//! `genl_multicast_group` arrays) live in one allocation that a
//! [`Registration`] owns and frees only when the module unloads.
//!
//! Everything here calls the kernel through the Rust bindings of
//! `<net/genetlink.h>` and `<net/netlink.h>` that the lab's kernel patch
//! 0002 adds (`lab/patches/`); upstream 6.12 has none.

use super::dump::{self, Dump, DumpContext};
use super::extack::ExtAck;
use super::skb::SkBuff;
use crate::wire::attr::{self, Attr};
use crate::wire::nlmsg::{self, Header};
use crate::wire::policy::{AttrKind, Policy};
use core::ffi::{c_int, CStr};
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::bindings;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::types::Opaque;

/// What an operation does with a request: `Ok(())` is acknowledged when the
/// request asked (`NLM_F_ACK`), an error is answered with what `extack` was
/// told. It runs in the sender's context and may sleep, on several CPUs at
/// once (the family is registered with `parallel_ops`: no global lock).
pub type DoIt<F> = fn(&F, &GenlRequest<'_>, &mut ExtAck<'_>) -> Result;

/// What a dump operation does when a dump request arrives (the op's
/// `.start`): makes the [`Dump`] that fills the buffers (see [`boxed`]), or
/// refuses with an error that answers the request.
pub type StartDump<F> = fn(&F, &GenlRequest<'_>, &mut ExtAck<'_>) -> Result<KBox<dyn Dump>>;

// ANCHOR: op
/// One operation of a family: a command, who may use it, and what does it.
pub struct Op<F: 'static> {
    cmd: u8,
    flags: u8,
    doit: Option<DoIt<F>>,
    dump: Option<StartDump<F>>,
}

impl<F> Op<F> {
    /// Command `cmd`, which does nothing yet (a request of it would be
    /// `EOPNOTSUPP`): add [`Op::doit`], [`Op::dump`] or both.
    pub const fn new(cmd: u8) -> Op<F> {
        Op { cmd, flags: 0, doit: None, dump: None }
    }

    /// Handles a plain request of this command with `f` (`GENL_CMD_CAP_DO`).
    pub const fn doit(self, f: DoIt<F>) -> Op<F> {
        Op { doit: Some(f), ..self }
    }

    /// Handles a dump request (`NLM_F_DUMP`) of this command: `f` starts
    /// the dump (`GENL_CMD_CAP_DUMP`).
    pub const fn dump(self, f: StartDump<F>) -> Op<F> {
        Op { dump: Some(f), ..self }
    }

    /// Only for senders with `CAP_NET_ADMIN` (`GENL_ADMIN_PERM`): the kernel
    /// answers anybody else `EPERM` without calling the module.
    pub const fn admin(self) -> Op<F> {
        Op { flags: self.flags | bindings::GENL_ADMIN_PERM as u8, ..self }
    }
}
// ANCHOR_END: op

// ANCHOR: family
/// A generic netlink family: its name, version, attribute policy,
/// operations and multicast groups, described by the type that holds the
/// module's state.
pub trait Family: Send + Sync + Sized + 'static {
    /// The name userspace resolves with the controller (at most 15 bytes).
    const NAME: &'static CStr;
    /// The protocol version, sent in every generic header.
    const VERSION: u8;
    /// The attributes of every operation, indexed by type (entry 0 unused):
    /// the kernel validates each request against it, strictly, before an
    /// operation runs. Nested policies are not supported here.
    const POLICY: &'static [Policy];
    /// The operations, one per command.
    const OPS: &'static [Op<Self>];
    /// The multicast groups, by name: index 0, 1, ... in [`GenlRequest::notify`].
    const GROUPS: &'static [&'static CStr];
}
// ANCHOR_END: family

/// The kernel's policy entry for one of `wire::policy`'s (the C macros
/// `NLA_POLICY_*`). `EINVAL` for what this layer does not convert: a nested
/// policy, a length over the field's range.
fn nla_policy(p: &Policy) -> Result<bindings::nla_policy> {
    let mut n = bindings::nla_policy::default();
    let len = |max: usize| u16::try_from(max).map_err(|_| EINVAL);
    let (ty, length) = match p.kind {
        AttrKind::Unspec => (bindings::NLA_UNSPEC, 0),
        AttrKind::Reject => (bindings::NLA_REJECT, 0),
        AttrKind::U8 => (bindings::NLA_U8, 0),
        AttrKind::U16 => (bindings::NLA_U16, 0),
        AttrKind::U32 => (bindings::NLA_U32, 0),
        AttrKind::U64 => (bindings::NLA_U64, 0),
        AttrKind::Flag => (bindings::NLA_FLAG, 0),
        AttrKind::String { max_len } => (bindings::NLA_STRING, len(max_len)?),
        AttrKind::NulString { max_len } => (bindings::NLA_NUL_STRING, len(max_len)?),
        AttrKind::Nested([]) => (bindings::NLA_NESTED, 0),
        AttrKind::Nested(_) => return Err(EINVAL),
        AttrKind::Binary { min, max } => {
            // NLA_POLICY_RANGE(NLA_BINARY, min, max): the kernel checks the
            // length against the range ("binary attribute size out of range").
            let min = i16::try_from(min).map_err(|_| EINVAL)?;
            let max = i16::try_from(max).map_err(|_| EINVAL)?;
            n.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE as u8;
            n.__bindgen_anon_1.__bindgen_anon_1 = bindings::nla_policy__bindgen_ty_1__bindgen_ty_1 { min, max };
            (bindings::NLA_BINARY, 0)
        }
    };
    n.type_ = ty as u8;
    n.len = length;
    Ok(n)
}

/// Copies `name` into a C name field of `GENL_NAMSIZ` (16) bytes,
/// leaving at least one NUL after it. `EINVAL` if it does not fit.
fn set_name(field: &mut [u8; 16], name: &CStr) -> Result {
    let bytes = name.to_bytes();
    let Some(to) = field.get_mut(..bytes.len()).filter(|_| !bytes.is_empty() && bytes.len() < 16) else {
        return Err(EINVAL);
    };
    to.copy_from_slice(bytes);
    Ok(())
}

/// What the kernel keeps pointers to while the family is registered, and
/// the module's state, in one allocation.
struct Inner<F: Family> {
    /// The family; the kernel writes its `id`, `mcgrp_offset` and private
    /// fields while registering, hence `Opaque`.
    family: Opaque<bindings::genl_family>,
    ops: KVec<bindings::genl_ops>,
    policy: KVec<bindings::nla_policy>,
    groups: KVec<bindings::genl_multicast_group>,
    data: F,
}

impl<F: Family> Inner<F> {
    /// The `Inner` around a family the kernel passes back to a callback.
    ///
    /// # Safety
    ///
    /// `family` must be the `family` field of a live `Inner<F>` (what a
    /// [`Registration<F>`] registered), and the result not outlive it.
    unsafe fn from_family<'a>(family: *const bindings::genl_family) -> &'a Inner<F> {
        // SAFETY: `Opaque<T>` has the layout of `T`, so the kernel's pointer
        // is the address of our `family` field, inside an `Inner<F>` that
        // lives as long as the caller says.
        unsafe { &*kernel::container_of!(family.cast::<Opaque<bindings::genl_family>>(), Inner<F>, family) }
    }
}

/// The family this module registered, for [`family_id`]: one per module,
/// as there is one [`super::Socket`] (each module compiles its own copy of
/// this layer, so each has its own slot).
static FAMILY: AtomicPtr<bindings::genl_family> = AtomicPtr::new(core::ptr::null_mut());

/// The id the kernel gave this module's family: the `nlmsg_type` of every
/// message of the family. 0 while none is registered. (In C, messages name
/// the family through its static `struct genl_family`; this is that.)
pub fn family_id() -> u16 {
    let family = FAMILY.load(Ordering::Acquire);
    if family.is_null() {
        return 0;
    }
    // SAFETY: `FAMILY` points at the family of the live `Registration`
    // (cleared before it goes); the kernel wrote `id` before any callback
    // could run, and never changes it while registered.
    unsafe { (*family).id as u16 }
}

// ANCHOR: registration
/// A registered generic netlink family, with the module's state `F`.
///
/// # Invariants
///
/// `inner.family` is registered with the generic netlink core, with its
/// `ops`, `policy` and `mcgrps` pointing into `inner` (heap memory, never
/// moved or written while registered), and `FAMILY` points at it.
pub struct Registration<F: Family> {
    inner: ManuallyDrop<KBox<Inner<F>>>,
    module: &'static ThisModule,
}

// SAFETY: the raw pointers inside are handed only to the genetlink core,
// which may be called from any thread; `F` is `Send`.
unsafe impl<F: Family> Send for Registration<F> {}
// SAFETY: `&Registration` reads `F` (which is `Sync`) and the family's id.
unsafe impl<F: Family> Sync for Registration<F> {}

impl<F: Family> Registration<F> {
    /// Registers family `F` with state `data`: from now on requests to it
    /// reach `F::OPS`, on any CPU. Allocates (may sleep).
    ///
    /// Call it last in a module's `init`, with nothing fallible after it
    /// (as for [`super::Socket::new`]: a module whose `init` fails is freed
    /// at once, running dumps or not), and keep it in the module's struct,
    /// so that it goes when the module unloads.
    ///
    /// Fails with `EBUSY` if this module already has a family, `EEXIST` if
    /// a family of that name exists, `EINVAL` for a description the kernel
    /// (or this layer) refuses: a name of 16 bytes or more, duplicate
    /// commands, an op without `doit` or `dump`, a nested policy.
    pub fn new(module: &'static ThisModule, data: F) -> Result<Self> {
        let mut policy = KVec::with_capacity(F::POLICY.len(), GFP_KERNEL)?;
        for p in F::POLICY {
            policy.push(nla_policy(p)?, GFP_KERNEL)?;
        }
        let mut ops = KVec::with_capacity(F::OPS.len(), GFP_KERNEL)?;
        for op in F::OPS {
            let dumps = op.dump.is_some();
            ops.push(
                bindings::genl_ops {
                    doit: op.doit.map(|_| doit_cb::<F> as _),
                    start: dumps.then_some(start_cb::<F> as _),
                    dumpit: dumps.then_some(dumpit_cb as _),
                    done: dumps.then_some(done_cb as _),
                    cmd: op.cmd,
                    flags: op.flags,
                    // No policy of its own: the family's (`genl_op_from_full`).
                    ..Default::default()
                },
                GFP_KERNEL,
            )?;
        }
        let mut groups = KVec::with_capacity(F::GROUPS.len(), GFP_KERNEL)?;
        for name in F::GROUPS {
            let mut g = bindings::genl_multicast_group::default();
            set_name(&mut g.name, name)?;
            groups.push(g, GFP_KERNEL)?;
        }
        let mut family = bindings::genl_family::default();
        set_name(&mut family.name, F::NAME)?;
        family.version = u32::from(F::VERSION);
        family.maxattr = u32::try_from(policy.len().saturating_sub(1)).map_err(|_| EINVAL)?;
        family.policy = policy.as_ptr();
        family.ops = ops.as_ptr();
        family.n_ops = u8::try_from(ops.len()).map_err(|_| EINVAL)?;
        family.mcgrps = groups.as_ptr();
        family.n_mcgrps = u8::try_from(groups.len()).map_err(|_| EINVAL)?;
        // Our operations lock what they share themselves: no genl_mutex.
        family.set_parallel_ops(1);
        // 0: every command is validated strictly (what new families do).
        family.resv_start_op = 0;
        family.module = module.as_ptr();
        let inner = KBox::new(Inner { family: Opaque::new(family), ops, policy, groups, data }, GFP_KERNEL)?;
        let raw = inner.family.get();
        if FAMILY.compare_exchange(core::ptr::null_mut(), raw, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return Err(EBUSY);
        }
        // SAFETY: `raw` is a complete family description whose pointers
        // lead into `inner`'s heap memory, which stays where it is (moving
        // the box moves no contents) and unwritten until `drop` has
        // unregistered it. The kernel writes the fields it owns (`id`, ...)
        // through it: they are inside `Opaque`.
        if let Err(e) = to_result(unsafe { bindings::genl_register_family(raw) }) {
            FAMILY.store(core::ptr::null_mut(), Ordering::Release);
            return Err(e);
        }
        Ok(Registration { inner: ManuallyDrop::new(inner), module })
    }

    /// The module's state.
    pub fn data(&self) -> &F {
        &self.inner.data
    }

    /// The id the kernel gave the family (its messages' `nlmsg_type`).
    pub fn id(&self) -> u16 {
        // SAFETY: registered (invariant): `id` was written by the kernel
        // during `genl_register_family`, before `new` returned.
        unsafe { (*self.inner.family.get()).id as u16 }
    }

    /// The id the kernel gave multicast group `group` (an index of
    /// `F::GROUPS`): what userspace joins.
    pub fn group_id(&self, group: u32) -> u32 {
        // SAFETY: as in `id`.
        unsafe { (*self.inner.family.get()).mcgrp_offset + group }
    }
}

impl<F: Family> Drop for Registration<F> {
    fn drop(&mut self) {
        let raw = self.inner.family.get();
        // SAFETY: registered (invariant). When it returns, no operation of
        // ours runs or can start: it waits for running requests (the
        // core's `cb_lock`), and the family can no longer be found.
        unsafe { bindings::genl_unregister_family(raw) };
        FAMILY.store(core::ptr::null_mut(), Ordering::Release);
        // A dump that is still running may read the family (`genl_dumpit`
        // locks by it). Every dump holds a reference on the module, and a
        // module with references cannot begin to unload: if it is going
        // (the usual case, its exit), no dump runs and none can start
        // (`try_module_get` refuses a going module). Dropped at any other
        // time, the memory is left allocated rather than risk a dump.
        // SAFETY: `ThisModule` holds the module's pointer (or null, built
        // in); its `state` is set to GOING before its exit runs, here.
        let going = unsafe {
            let m = self.module.as_ptr();
            !m.is_null() && (*m).state == bindings::module_state_MODULE_STATE_GOING
        };
        if going {
            // SAFETY: dropped once, here; nothing uses it any more (above).
            unsafe { ManuallyDrop::drop(&mut self.inner) };
        }
    }
}
// ANCHOR_END: registration

/// Makes a [`Dump`] what [`StartDump`] returns: the dump on the heap, owned
/// by the core until the dump ends.
pub fn boxed<D: Dump>(dump: D) -> Result<KBox<dyn Dump>> {
    let raw: *mut D = KBox::into_raw(KBox::new(dump, GFP_KERNEL)?);
    let raw: *mut dyn Dump = raw;
    // SAFETY: `raw` is the allocation `KBox::new` just made, now typed as a
    // trait object of the same value: same address, size and alignment.
    Ok(unsafe { KBox::from_raw(raw) })
}

// ANCHOR: request
/// One request of the family, as an operation gets it: the kernel's
/// `struct genl_info`, borrowed for the call, with its attributes already
/// parsed and validated against the family's policy.
///
/// # Invariants
///
/// `info` is the live `genl_info` of a running callback of a family
/// registered by a [`Registration`]; its `nlhdr` is the request, of
/// `nlmsg_len` bytes, and `attrs` has `maxattr + 1` entries, each null or an
/// attribute inside the request.
pub struct GenlRequest<'a> {
    info: *const bindings::genl_info,
    header: Header,
    _borrow: PhantomData<&'a bindings::genl_info>,
}
// ANCHOR_END: request

impl<'a> GenlRequest<'a> {
    /// Wraps the `genl_info` a callback received.
    ///
    /// # Safety
    ///
    /// As the type's invariants say, for the lifetime `'a`, which must not
    /// outlive the callback.
    unsafe fn from_raw(info: *const bindings::genl_info) -> Self {
        // SAFETY: `nlhdr` is the request, whose 16 header bytes are there
        // (the core checked its length).
        let bytes: &[u8] = unsafe { core::slice::from_raw_parts((*info).nlhdr.cast::<u8>(), nlmsg::HDRLEN) };
        let header = Header::parse(bytes).unwrap_or(Header::new(0, 0, 0, 0));
        GenlRequest { info, header, _borrow: PhantomData }
    }

    /// The request's netlink header (its type is the family id).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The command of the generic header.
    pub fn cmd(&self) -> u8 {
        // SAFETY: `genlhdr` points into the request (invariant), whose
        // length the core checked to hold the generic header.
        unsafe { (*(*self.info).genlhdr).cmd }
    }

    /// The port id of the socket that sent the request, as the kernel knows
    /// it (`info->snd_portid`): where answers go.
    pub fn portid(&self) -> u32 {
        // SAFETY: `info` is live (invariant).
        unsafe { (*self.info).snd_portid }
    }

    /// Did the requester ask to hear of the change it makes (`NLM_F_ECHO`)?
    /// [`GenlRequest::notify`] honours it.
    pub fn echo(&self) -> bool {
        self.header.has(nlmsg::F_ECHO)
    }

    /// The family this request is for.
    fn family(&self) -> *const bindings::genl_family {
        // SAFETY: `info` is live (invariant).
        unsafe { (*self.info).family }
    }

    /// The id of the family (the request's `nlmsg_type`).
    pub fn family_id(&self) -> u16 {
        self.header.ty
    }

    // ANCHOR: attr
    /// Attribute `ty` of the request, if it has one: parsed and checked
    /// against the family's policy by the kernel before the operation runs
    /// (the last one wins when a type repeats, as in `nla_parse`).
    pub fn attr(&self, ty: u16) -> Option<Attr<'a>> {
        // SAFETY: `family` is ours and registered; `maxattr` is fixed.
        let maxattr = unsafe { (*self.family()).maxattr };
        // SAFETY: `info` is live (invariant).
        let attrs = unsafe { (*self.info).attrs };
        if attrs.is_null() || u32::from(ty) > maxattr {
            return None;
        }
        // SAFETY: `attrs` has `maxattr + 1` entries (invariant), and `ty`
        // is at most `maxattr`.
        let nla = unsafe { *attrs.add(usize::from(ty)) };
        if nla.is_null() {
            return None;
        }
        // SAFETY: a non-null entry is an attribute inside the request, whose
        // `nla_len` (at least 4) bytes are all there (checked by the
        // parse), live for 'a; the request is only read.
        let (raw_type, value) = unsafe {
            let len = usize::from((*nla).nla_len);
            let all = core::slice::from_raw_parts(nla.cast::<u8>(), len);
            ((*nla).nla_type, all.get(attr::HDRLEN..).unwrap_or_default())
        };
        Some(Attr::new(raw_type, value))
    }
    // ANCHOR_END: attr

    /// Every attribute of types 0 to `N - 1`: the table `info->attrs`.
    pub fn attrs<const N: usize>(&self) -> [Option<Attr<'a>>; N] {
        let mut tb = [None; N];
        for (ty, slot) in tb.iter_mut().enumerate() {
            *slot = u16::try_from(ty).ok().and_then(|ty| self.attr(ty));
        }
        tb
    }

    /// Sends `bytes` (whole messages of the family) to the requester
    /// (`genlmsg_reply`), without waiting if its queue is full. Allocates.
    ///
    /// Fails with `ENOMEM`, `EAGAIN` (queue full) or `ECONNREFUSED`.
    pub fn reply(&self, bytes: &[u8]) -> Result {
        let skb = SkBuff::from_bytes(bytes)?;
        // SAFETY: `info` is live (invariant); `genlmsg_reply` only reads it
        // and consumes the buffer on every path.
        let ret = unsafe { bindings::genlmsg_reply(skb.into_raw(), self.info.cast_mut()) };
        to_result(ret.min(0))
    }

    /// Is `group` (an index of the family's groups) one of them? The
    /// kernel's group functions warn otherwise (and the lab's kernel panics
    /// on warnings).
    fn valid_group(&self, group: u32) -> bool {
        // SAFETY: `family` is ours and registered; `n_mcgrps` is fixed.
        group < u32::from(unsafe { (*self.family()).n_mcgrps })
    }

    /// Does any socket listen on the family's multicast group `group` (an
    /// index of `F::GROUPS`)?
    pub fn has_listeners(&self, group: u32) -> bool {
        if !self.valid_group(group) {
            return false;
        }
        // SAFETY: the family is registered and `group` one of its groups;
        // the net of a live request is live.
        unsafe {
            let net = bindings::genl_info_net(self.info);
            bindings::genl_has_listeners(self.family(), net, group) > 0
        }
    }

    /// Is a notification on `group` wanted by anybody: a listener, or the
    /// requester through `NLM_F_ECHO`?
    pub fn notification_wanted(&self, group: u32) -> bool {
        self.echo() || self.has_listeners(group)
    }

    // ANCHOR: notify
    /// Announces a change the request made: `bytes` (whole messages of the
    /// family) to the listeners of multicast `group` (an index of
    /// `F::GROUPS`), and to the requester if it asked with `NLM_F_ECHO`,
    /// which is then left out of the multicast (`genl_notify`, which is
    /// `nlmsg_notify` for a family's group). Allocates.
    ///
    /// Fails with `EINVAL` for a group the family does not have, `ENOMEM`
    /// when no buffer can be had. A listener whose queue is full is not an
    /// error here (it gets `ENOBUFS` from its next `recvmsg`).
    pub fn notify(&self, bytes: &[u8], group: u32) -> Result {
        if !self.valid_group(group) {
            return Err(EINVAL);
        }
        let skb = SkBuff::from_bytes(bytes)?;
        // SAFETY: the family is registered, `group` one of its groups, and
        // `info` the live request (read for its net, port and NLM_F_ECHO);
        // `genl_notify` consumes the buffer.
        unsafe {
            bindings::genl_notify(self.family(), skb.into_raw(), self.info.cast_mut(), group, bindings::GFP_KERNEL)
        };
        Ok(())
    }
    // ANCHOR_END: notify
}

/// The op of `cmd` among `F`'s (the kernel found it by the same command).
fn op_of<F: Family>(cmd: u8) -> Option<&'static Op<F>> {
    F::OPS.iter().find(|op| op.cmd == cmd)
}

// ANCHOR: doit_cb
/// The `doit` of every op of `F`: runs the op's [`DoIt`].
///
/// # Safety
///
/// Called by the genetlink core only, for a request to the family that a
/// [`Registration<F>`] registered, with its live `genl_info`.
unsafe extern "C" fn doit_cb<F: Family>(_skb: *mut bindings::sk_buff, info: *mut bindings::genl_info) -> c_int {
    // SAFETY: see the function's contract: `info->family` is the family of
    // a live `Registration<F>` (it outlives every request: its drop waits
    // for them), `info->extack` the request's extended-ACK record and
    // `info->nlhdr` the request; neither wrapper outlives this call.
    let (inner, request, mut extack) = unsafe {
        (
            Inner::<F>::from_family((*info).family),
            GenlRequest::from_raw(info),
            ExtAck::from_raw((*info).extack, (*info).nlhdr),
        )
    };
    let Some(doit) = op_of::<F>(request.cmd()).and_then(|op| op.doit) else {
        return super::errno(crate::wire::errno::EOPNOTSUPP).to_errno();
    };
    match doit(&inner.data, &request, &mut extack) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
// ANCHOR_END: doit_cb

/// A running dump, between the core's calls: kept in `cb->ctx`.
struct Running {
    ctx: DumpContext,
    dump: KBox<dyn Dump>,
}

/// Where a dump keeps its `Running`: the first bytes of the callback
/// record's scratch area (`cb->ctx`, 48 bytes, aligned for a pointer).
///
/// # Safety
///
/// `cb` must be the core's live callback record.
unsafe fn slot(cb: *mut bindings::netlink_callback) -> *mut *mut Running {
    // SAFETY: see the function's contract; the union holds `long args[6]`,
    // so it is aligned and big enough for a pointer.
    unsafe { core::ptr::addr_of_mut!((*cb).__bindgen_anon_1).cast::<*mut Running>() }
}

// ANCHOR: start_cb
/// The `.start` of every dumping op of `F`: asks the op for its [`Dump`].
///
/// # Safety
///
/// Called by the genetlink core only (`genl_start`), once per dump, after
/// it parsed the request into the dump's `genl_info`, with the request's
/// extended-ACK record in `cb->extack`.
unsafe extern "C" fn start_cb<F: Family>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: `cb` is live; `genl_info_dump` reads the info genetlink keeps
    // in `cb->data` for this dump, whose family is ours (see `doit_cb`).
    let (inner, request) = unsafe {
        let info = bindings::genl_info_dump(cb);
        (Inner::<F>::from_family((*info).family), GenlRequest::from_raw(info))
    };
    let Some(start) = op_of::<F>(request.cmd()).and_then(|op| op.dump) else {
        return super::errno(crate::wire::errno::EOPNOTSUPP).to_errno();
    };
    // SAFETY: `cb->extack` is the request's record while `.start` runs
    // (`__netlink_dump_start` sets it around the call); `cb->nlh` is the
    // request. Neither is kept past this call.
    let mut extack = unsafe { ExtAck::from_raw((*cb).extack, (*cb).nlh) };
    let ctx = DumpContext::new(request.header().seq, request.portid());
    let running = match start(&inner.data, &request, &mut extack)
        .and_then(|dump| KBox::new(Running { ctx, dump }, GFP_KERNEL).map_err(Into::into))
    {
        Ok(r) => r,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: `cb` is live; the scratch area is ours (zeroed by the core).
    unsafe { slot(cb).write(KBox::into_raw(running)) };
    0
}
// ANCHOR_END: start_cb

/// The `.dumpit` of every dumping op: fills one buffer.
///
/// # Safety
///
/// Called by the genetlink core only, after `start_cb` succeeded, with a
/// fresh buffer; calls of one dump never overlap.
unsafe extern "C" fn dumpit_cb(skb: *mut bindings::sk_buff, cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: `start_cb` stored the dump's `Running` in the slot; only this
    // call uses it now.
    let running = unsafe { &mut **slot(cb) };
    // SAFETY: see the function's contract, which is `fill_buffer`'s.
    unsafe { dump::fill_buffer(skb, cb, &mut running.ctx, &mut *running.dump) }
}

/// The `.done` of every dumping op: drops the dump, once it has ended
/// (finished, failed, or its reader closed the socket).
///
/// # Safety
///
/// Called by the genetlink core only, once, after `start_cb` succeeded.
unsafe extern "C" fn done_cb(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: the slot holds what `KBox::into_raw` gave in `start_cb` (or
    // null); no callback of this dump runs again.
    unsafe {
        let running = slot(cb).replace(core::ptr::null_mut());
        if !running.is_null() {
            drop(KBox::from_raw(running));
        }
    }
    0
}
