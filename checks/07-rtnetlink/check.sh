# Lesson 07 checks, run inside the lab VM. One PASS/FAIL line per check.
# No module: rt talks to the kernel's own routing tables (NETLINK_ROUTE),
# and busybox's `ip route` is the other witness.
. /lab/lib.sh

# Comparing rt with busybox ip, honestly: busybox prints no protocol (its
# iproute.c: "Todo: parse & show proto kernel") and none of a multipath
# route's next hops (it does not read RTA_MULTIPATH), and pads with spaces.
# So: squeeze busybox's spaces; drop rt's "proto X" and "nexthop ..." parts.
norm_ip() { sed 's/  */ /g; s/ $//'; }
norm_rt() { sed 's/ proto [a-z0-9]*//; s/ nexthop .*//'; }
# same NAME "RT COMMAND" "IP COMMAND": both list the same routes, in order.
same() {
  name=$1
  rt_out=$(sh -c "$2" 2>&1 | norm_rt) ip_out=$(sh -c "$3" 2>&1 | norm_ip)
  if [ "$rt_out" = "$ip_out" ] && [ -n "$rt_out" ]; then pass "$name"
  else fail "$name" "$2 printed '$(echo "$rt_out" | tr '\n' ';')', $3 printed '$(echo "$ip_out" | tr '\n' ';')'"; fi
}
# fails_with NAME TEXT COMMAND...: COMMAND must fail and print TEXT.
fails_with() {
  name=$1 want=$2; shift 2
  if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"
  else case "$out" in *"$want"*) pass "$name" ;; *) fail "$name" "expected '$want', got: $out" ;; esac; fi
}
# has_line NAME LINE COMMAND...: COMMAND prints LINE (after norm_ip).
has_line() {
  name=$1 want=$2; shift 2
  out=$("$@" 2>&1 | norm_ip)
  if echo "$out" | grep -qxF "$want"; then pass "$name"; else fail "$name" "no line '$want' in: $(echo "$out" | tr '\n' ';')"; fi
}
# prints NAME EXPECTED COMMAND...: COMMAND succeeds and prints exactly EXPECTED.
prints() {
  name=$1 want=$2; shift 2
  got=$("$@" 2>&1 | tr '\n' ';')
  [ "$got" = "$want;" ] && pass "$name" || fail "$name" "expected '$want', got '$got'"
}
as_student() { su student -c "$*"; }
# wait_for FILE TEXT: until FILE holds TEXT (5 s at most).
wait_for() {
  n=0; while ! grep -q "$2" "$1" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
}

# The lab's network: lo, two dummy interfaces up with a subnet each, one down.
# The lab kernel has no network namespaces: a run that follows another in
# the same boot (course verify) first deletes what that one made; every
# route through d0, d1 or d2 goes with them. (Empty tables stay: the checks
# that need a table never seen take a fresh id.)
for d in d0 d1 d2; do ip link del "$d" 2>/dev/null; done
if ip link set lo up && ip link add d0 type dummy && ip addr add 192.0.2.1/24 dev d0 && ip link set d0 up \
   && ip link add d1 type dummy && ip addr add 198.51.100.1/24 dev d1 && ip link set d1 up \
   && ip link add d2 type dummy; then pass net-setup
else fail net-setup "$(ip link 2>&1 | tr '\n' ' ')"; fi
prints link-index "$(cat /sys/class/net/d0/ifindex)" rt link d0
fails_with link-unknown ENODEV rt link nosuch0

# --- 7.1: requests: struct rtmsg, then attributes; ip route is the witness.
rt add 10.1.0.0/16 via 192.0.2.254 >/tmp/add.out 2>&1
has_line add-gateway "10.1.0.0/16 via 192.0.2.254 dev d0" sh -c 'cat /tmp/add.out; ip route'
rt add 10.2.0.0/16 dev d0 metric 7 >/tmp/add.out 2>&1
has_line add-dev "10.2.0.0/16 dev d0 scope link metric 7" sh -c 'cat /tmp/add.out; ip route'
fails_with add-excl "EEXIST (File exists)" rt add 10.1.0.0/16 via 192.0.2.254
rt add 10.4.0.0/16 dev d1 table 2000 >/tmp/add.out 2>&1
has_line add-table "10.4.0.0/16 dev d1 table 2000 scope link" sh -c 'cat /tmp/add.out; ip route show table all'
rt replace 10.1.0.0/16 via 192.0.2.253 >/tmp/add.out 2>&1
if ip route | norm_ip | grep -qxF "10.1.0.0/16 via 192.0.2.253 dev d0" && ! ip route | grep -q 192.0.2.254; then pass replace
else fail replace "$(cat /tmp/add.out) ip route: $(ip route | tr '\n' ';')"; fi
fails_with change-missing "ENOENT (No such file or directory)" rt change 10.9.0.0/16 dev d0
rt append 10.2.0.0/16 dev d1 metric 7 >/tmp/add.out 2>&1
has_line append "10.2.0.0/16 dev d1 scope link metric 7" sh -c 'cat /tmp/add.out; ip route'
rt del 10.2.0.0/16 dev d1 >/tmp/add.out 2>&1
if ! ip route | grep -q "10.2.0.0/16 dev d1" && ip route | grep -q "10.2.0.0/16 dev d0"; then pass del
else fail del "$(cat /tmp/add.out) ip route: $(ip route | tr '\n' ';')"; fi
fails_with del-missing "ESRCH (No such process)" rt del 10.99.0.0/16
rt add 10.5.0.0/16 nexthop via 192.0.2.2 nexthop via 198.51.100.2 weight 3 >/tmp/add.out 2>&1
has_line multipath-add "10.5.0.0/16" sh -c 'cat /tmp/add.out; ip route'

# Bad input: the kernel's own answers, with its extended-ACK messages.
fails_with prefix-len-33 'EINVAL (Invalid argument): "Invalid prefix length"' rt add 10.0.0.0/33 dev d0
fails_with host-bits 'EINVAL (Invalid argument): "Invalid prefix for given prefix length"' rt add 10.1.2.3/16 dev d0
fails_with no-oif 'ENODEV (No such device)' rt add 10.7.0.0/16
fails_with bad-gateway 'ENETUNREACH (Network is unreachable): "Nexthop has invalid gateway"' rt add 10.8.0.0/16 via 203.0.113.1
fails_with dev-down 'ENETDOWN (Network is down): "Device for nexthop is not up"' rt add 10.9.0.0/16 dev d2
fails_with blackhole-dev '"Gateway, device and multipath can not be specified for this route type"' rt add blackhole 10.12.0.0/16 dev d0
T=$((100000 + $$))  # a table no run has made yet
fails_with table-no-create "ENOENT (No such file or directory)" rt change 10.10.0.0/16 dev d0 table $T
rt add 10.10.0.0/16 dev d0 table 6000 >/tmp/add.out 2>&1
has_line table-create "10.10.0.0/16 dev d0 table 6000 scope link" sh -c 'cat /tmp/add.out; ip route show table all'
fails_with del-no-table 'ESRCH (No such process): "FIB table does not exist"' rt del 10.10.0.0/16 table 7000
out=$(as_student rt add 10.11.0.0/16 dev d0 2>&1)
case "$out" in
  *"EPERM (Operation not permitted)"*) ip route | grep -q 10.11.0.0 && fail unpriv-add "EPERM, but added: $(ip route | tr '\n' ';')" || pass unpriv-add ;;
  *) fail unpriv-add "expected EPERM, got: $out" ;;
esac

# --- 7.2: decoding what the kernel sends: answers and notifications.
prints get "10.1.0.0/16 via 192.0.2.253 dev d0 proto static" rt get 10.1.2.3
prints multipath-get "10.5.0.0/16 proto static nexthop via 192.0.2.2 dev d0 weight 1 nexthop via 198.51.100.2 dev d1 weight 3" rt get 10.5.7.7
fails_with get-no-route 'ENETUNREACH (Network is unreachable)' rt get 203.0.113.9

# A monitor while busybox's ip makes changes (in main and in table 200:
# busybox takes table ids up to 255 only), and rt one in table 2000.
rt monitor --count 5 >/tmp/mon.out 2>&1 & m1=$!
rt monitor table 2000 --count 1 >/tmp/mon2000.out 2>&1 & m2=$!
as_student rt monitor --count 1 >/tmp/monstudent.out 2>&1 & m3=$!
wait_for /tmp/mon.out listening; wait_for /tmp/mon2000.out listening; wait_for /tmp/monstudent.out listening
ip route add 10.20.0.0/16 via 192.0.2.254
ip route replace 10.20.0.0/16 via 192.0.2.253
ip route add 10.21.0.0/16 dev d0 table 200
ip route del 10.20.0.0/16
rt add 10.22.0.0/16 dev d1 table 2000
sleep 0.5
want="add 10.20.0.0/16 via 192.0.2.254 dev d0
replace 10.20.0.0/16 via 192.0.2.253 dev d0
add 10.21.0.0/16 dev d0 table 200 scope link
del 10.20.0.0/16 via 192.0.2.253 dev d0
add 10.22.0.0/16 dev d1 table 2000 proto static scope link"
got=$(grep -v '^monitor:' /tmp/mon.out)
[ "$got" = "$want" ] && pass monitor-events || fail monitor-events "$(echo "$got" | tr '\n' ';')"
got=$(grep -v '^monitor:' /tmp/mon2000.out)
[ "$got" = "add 10.22.0.0/16 dev d1 table 2000 proto static scope link" ] && pass monitor-table || fail monitor-table "$(echo "$got" | tr '\n' ';')"
got=$(grep -v '^monitor:' /tmp/monstudent.out)
[ "$got" = "add 10.20.0.0/16 via 192.0.2.254 dev d0" ] && pass monitor-unprivileged || fail monitor-unprivileged "$(echo "$got" | tr '\n' ';')"
kill $m1 $m2 $m3 2>/dev/null

# --- 7.3: dumps, filtered by the kernel, compared with ip route.
ip route add 10.30.0.0/16 via 198.51.100.254 table 200
same show-main "rt show" "ip route"
same show-table-200 "rt show table 200" "ip route show table 200"
same show-all "rt show table all" "ip route show table all"
same show-table-2000 "rt show table 2000" "ip route show table all | grep ' table 2000 ' | sed 's/ table 2000//'"
# The kernel's filter (fib_info_nh_uses_dev) also takes the multipath route,
# one of whose next hops goes through d1; busybox filters by RTA_OIF itself,
# which a multipath route does not have. The rest must agree.
same show-dev "rt show dev d1 | grep -v nexthop" "ip route show dev d1"
rt show dev d1 | grep -q "^10.5.0.0/16 .*nexthop via 198.51.100.2 dev d1" && pass show-dev-multipath \
  || fail show-dev-multipath "$(rt show dev d1 2>&1 | tr '\n' ';')"
same show-unprivileged "su student -c 'rt show table all'" "ip route show table all"
i=0; while [ $i -lt 300 ]; do ip route add 10.40.$((i / 250)).$((i % 250)) dev d0 table 201; i=$((i + 1)); done
n=$(rt show table 201 | wc -l)
[ "$n" = 300 ] && pass show-many-datagrams || fail show-many-datagrams "$n of 300 routes listed"
fails_with show-no-table 'ENOENT (No such file or directory): "ipv4: FIB table does not exist"' rt show table 4242
# The failed `rt change ... table $T` above made table $T all the same.
if out=$(rt show table $T 2>&1) && [ -z "$out" ]; then pass table-made-anyway; else fail table-made-anyway "rt show table $T: '$out'"; fi
fails_with strict-bad-header '"Invalid values in header for FIB dump request"' rt show --header dst_len=24
n=$(rt show table 2000 --no-strict | wc -l); m=$(rt show table 2000 | wc -l)
[ "$n" -gt "$m" ] && [ "$m" = 2 ] && pass no-strict-no-filter || fail no-strict-no-filter "$n routes without strict checking, $m with"
# List, then watch, on one socket: a change made while the listing is read
# comes as a notification between the dump's parts, not as one of them.
rt monitor --list --delay 1000 --count 1 table 201 >/tmp/list.out 2>&1 & m1=$!
wait_for /tmp/list.out listing
ip route add 10.41.0.0/16 dev d0 table 201
wait_for /tmp/list.out "^add "
sleep 0.2
listed=$(grep -c '^route ' /tmp/list.out); event=$(grep '^add ' /tmp/list.out)
if [ "$event" = "add 10.41.0.0/16 dev d0 table 201 scope link" ] && [ "$listed" -ge 300 ]; then pass monitor-list
else fail monitor-list "$listed routes listed, event '$event'; $(grep -v '^route ' /tmp/list.out | tr '\n' ';')"; fi
kill $m1 2>/dev/null

check no-oops no_oops
