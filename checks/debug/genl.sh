# Guest script of lab/selftest.sh: the generic netlink family of
# genl_smoke.ko, registered, resolved, used and unregistered.
. /lab/lib.sh
check loads insmod /lab/genl_smoke.ko
id=$(klog | sed -n 's/^genl_smoke: family lab_selftest id \([0-9]*\) .*/\1/p' | tail -n 1)
[ -n "$id" ] && pass family-id || fail family-id "no 'family lab_selftest id N' in the log"
# ECHO (cmd 1, version 1) with VALUE (type 1) = 41: a reply (16 + 4 + 8
# bytes: VALUE 42) and an ACK.
out=$(nlprobe valid --protocol 16 --type "$id" --hex 010100000800010029000000)
echo "$out" | sed 's/^/echo: /'
echo "$out" | grep -q "^reply .*seq=1 len=28$" && echo "$out" | grep -q "^ack seq=1$" &&
  pass echo-answered || fail echo-answered "$(echo "$out" | tr '\n' ' ')"
# VALUE of 2 bytes: the kernel checks the family's policy (NLA_U32), not us.
out=$(nlprobe valid --protocol 16 --type "$id" --hex 010100000600010029000000)
echo "$out" | grep -q "^error seq=1 EINVAL$" && pass policy-enforced || fail policy-enforced "$(echo "$out" | tr '\n' ' ')"
# A command the family does not have.
out=$(nlprobe valid --protocol 16 --type "$id" --hex 07010000)
echo "$out" | grep -q "^error seq=1 EOPNOTSUPP$" && pass unknown-command || fail unknown-command "$(echo "$out" | tr '\n' ' ')"
check unloads rmmod genl_smoke
check unregistered logged "^genl_smoke: family lab_selftest unregistered (0)"
check no-oops no_oops
