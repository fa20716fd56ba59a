# Lesson 05 checks, run inside the lab VM. One PASS/FAIL line per check.
. /lab/lib.sh

# Netlink attributes are little-endian here (the lab is x86_64).
le16() { printf '%02x%02x' $(($1 & 255)) $(($1 >> 8)); }
# attr TYPE HEX: one attribute holding the bytes HEX, padded to 4 bytes.
attr() {
  n=$(( ${#2} / 2 + 4 )); p=$(( (4 - n % 4) % 4 ))
  printf '%s%s%s' "$(le16 "$n")" "$(le16 "$1")" "$2"
  while [ $p -gt 0 ]; do printf 00; p=$((p - 1)); done
}
hexstr() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
# sattr TYPE TEXT: a NUL-terminated string attribute.
sattr() { attr "$1" "$(hexstr "$2")00"; }
# ip4 A.B.C.D: the 4 bytes in network order.
ip4() { printf '%02x%02x%02x%02x' $(echo "$1" | tr . ' '); }
# Attribute types of wire::rtm.
A_TABLE=1 A_DST=2 A_DST_LEN=3 A_GATEWAY=4 A_OIF=5
# route_hex TABLE ADDR LEN [GATEWAY [OIF]]
route_hex() {
  printf '%s%s%s' "$(sattr $A_TABLE "$1")" "$(attr $A_DST "$(ip4 "$2")")" "$(attr $A_DST_LEN "$(printf %02x "$3")")"
  [ -n "${4:-}" ] && attr $A_GATEWAY "$(ip4 "$4")"
  [ -n "${5:-}" ] && sattr $A_OIF "$5"
  true
}

# probe_is NAME EXPECTED CASE [ARGS...]: nlprobe's answer must be exactly EXPECTED.
probe_is() {
  name=$1 want=$2; shift 2
  got=$(nlprobe "$@" 2>&1 | tr '\n' ';')
  [ "$got" = "$want;" ] && pass "$name" || fail "$name" "expected '$want', got '$got'"
}
# fails_with NAME ERRNO COMMAND...: COMMAND must fail and name ERRNO.
fails_with() {
  name=$1 want=$2; shift 2
  if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"
  else case "$out" in *"$want"*) pass "$name" ;; *) fail "$name" "expected $want, got: $out" ;; esac; fi
}
# prints NAME EXPECTED COMMAND...: COMMAND must succeed and print exactly EXPECTED.
prints() {
  name=$1 want=$2; shift 2
  got=$("$@" 2>&1 | tr '\n' ';')
  [ "$got" = "$want;" ] && pass "$name" || fail "$name" "expected '$want', got '$got'"
}
as_student() { su student -c "$*"; }

check loads insmod /lab/rtm.ko

check table-add rtm table add t1
fails_with table-excl EEXIST rtm table add t1
probe_is table-no-create "error seq=1 ENOENT" valid --type 21 --hex "$(sattr $A_TABLE t9)"
prints table-get "t1 routes 0" rtm table get t1

check route-add rtm route add t1 10.1.1.0/24 via 11.1.1.1 dev eth0/6
prints route-get "10.1.1.0/24 via 11.1.1.1 dev eth0/6" rtm route get t1 10.1.1.0/24
fails_with route-excl EEXIST rtm route add t1 10.1.1.0/24 via 11.1.1.1 dev eth0/6
rtm route replace t1 10.1.1.0/24 via 12.1.1.1 dev eth1 >/dev/null 2>&1
prints route-replace "10.1.1.0/24 via 12.1.1.1 dev eth1" rtm route get t1 10.1.1.0/24
fails_with route-change-missing ENOENT rtm route change t1 10.9.0.0/16 via 1.1.1.1 dev eth9
fails_with route-no-table ENOENT rtm route add nosuch 10.1.1.0/24 via 11.1.1.1 dev eth0/6

rtm route add t1 10.1.0.0/16 via 11.1.1.2 dev eth1 && rtm route add t1 0.0.0.0/0 via 11.1.1.254 dev eth2
got=$(rtm route lookup t1 10.1.1.77; rtm route lookup t1 10.1.2.3; rtm route lookup t1 192.168.1.1)
want="10.1.1.0/24 via 12.1.1.1 dev eth1
10.1.0.0/16 via 11.1.1.2 dev eth1
0.0.0.0/0 via 11.1.1.254 dev eth2"
[ "$got" = "$want" ] && pass route-lookup || fail route-lookup "$(echo "$got" | tr '\n' ';')"

rtm route add t1 10.2.0.0/16 via 11.1.1.3 dev eth3 >/dev/null 2>&1
if rtm route del t1 10.2.0.0/16 2>&1 && rtm route get t1 10.2.0.0/16 2>&1 | grep -q ENOENT \
   && [ "$(rtm table get t1)" = "t1 routes 3" ]; then pass route-del
else fail route-del "del, then get: $(rtm route get t1 10.2.0.0/16 2>&1), table: $(rtm table get t1 2>&1)"; fi
fails_with route-del-missing ENOENT rtm route del t1 10.2.0.0/16

rtm table add t2 >/dev/null 2>&1
prints table-show "t1 routes 3;t2 routes 0" rtm table show
fails_with route-show-missing ENOENT rtm route show nosuch
prints route-show "0.0.0.0/0 via 11.1.1.254 dev eth2;10.1.0.0/16 via 11.1.1.2 dev eth1;10.1.1.0/24 via 12.1.1.1 dev eth1" rtm route show t1

prints unpriv-read "10.1.1.0/24 via 12.1.1.1 dev eth1" as_student rtm route get t1 10.1.1.0/24
before=$(rtm table get t1)
eperm=0
for c in "table add x" "table del t1" "route add t1 10.3.0.0/16 via 1.1.1.1 dev e" "route del t1 10.1.0.0/16"; do
  as_student rtm $c 2>&1 | grep -q EPERM && eperm=$((eperm + 1))
done
[ $eperm = 4 ] && [ "$(rtm table get t1)" = "$before" ] && pass unpriv-eperm || fail unpriv-eperm "$eperm of 4 changes refused with EPERM"
n=$(as_student rtm route show t1 | wc -l)
[ "$n" = 3 ] && pass unpriv-dump || fail unpriv-dump "$n routes seen"

# Four writers at once, 1,000 routes each, in small batches to interleave.
# Only two CPUs make the callbacks truly run at the same time.
cpus=$(nproc)
[ "$cpus" = 2 ] && pass two-cpus || fail two-cpus "the VM has $cpus CPU(s)"
rtm table add w
for k in 1 2 3 4; do
  awk -v k=$k 'BEGIN { for (i = 0; i < 1000; i++) printf "route add w %d.%d.%d.0/24 via 11.1.1.1 dev eth0\n", 10 + k, int(i / 250), i % 250 }' >/tmp/w$k
done
for k in 1 2 3 4; do rtm batch -q --chunk 10 /tmp/w$k >/tmp/w$k.out 2>&1 & done
wait
prints writers "w routes 4000" rtm table get w

printf 'table add b\nroute add b 10.0.0.0/8 via 1.1.1.1 dev e0\nroute add b 10.0.0.0/8 via 1.1.1.1 dev e0\nroute get b 10.0.0.0/8\n' >/tmp/b
# (What the kernel says after the errno, if anything, is not compared.)
prints batch-results "1: ok;2: ok;3: EEXIST (File exists);4: 10.0.0.0/8 via 1.1.1.1 dev e0;batch: 3 ok, 1 failed, 1 sendmsg calls" \
  sh -c 'rtm batch /tmp/b 2>/dev/null | sed "s/^\(3: EEXIST (File exists)\).*/\1/"; true'

# The big table: 100,000 routes (10,000 on the debug kernel, where KASAN
# and lockdep make every request about ten times slower).
BIG=100000
[ "${LAB_DEBUG:-0}" = 1 ] && BIG=10000
awk -v n=$BIG 'BEGIN { print "table add big"; for (i = 0; i < n; i++) printf "route add big 10.%d.%d.%d/32 via 11.1.1.1 dev eth0/6\n", int(i / 65536), int(i / 256) % 256, i % 256 }' >/tmp/big
rtm batch -q /tmp/big >/tmp/big.out 2>&1
prints batch-100k "big routes $BIG" rtm table get big
awk -v n=$BIG 'BEGIN { for (i = 0; i < n; i++) printf "10.%d.%d.%d/32 via 11.1.1.1 dev eth0/6\n", int(i / 65536), int(i / 256) % 256, i % 256 }' >/tmp/big.want
rtm route show big >/tmp/big.got 2>&1
if cmp -s /tmp/big.want /tmp/big.got; then pass dump-100k
else fail dump-100k "$(wc -l </tmp/big.got) lines; first difference: $(cmp /tmp/big.want /tmp/big.got 2>&1 | head -n 1)"; fi

# Stopped and continued again and again while it dumps (Ctrl-Z, fg): every
# route still arrives. (A dump's reader seldom waits in recvmsg, since each
# recvmsg queues the next part, so the EINTR this can cause on a socket with
# a receive timeout is rare here; nlsock's host test recv_survives_a_signal
# proves the retry itself.)
rtm route show big >/tmp/big.got 2>/tmp/big.err & pid=$!
stops=0
while kill -0 $pid 2>/dev/null && [ $stops -lt 300 ]; do
  kill -STOP $pid 2>/dev/null; sleep 0.01; kill -CONT $pid 2>/dev/null; sleep 0.01; stops=$((stops + 1))
done
wait $pid; st=$?
if [ $st = 0 ] && cmp -s /tmp/big.want /tmp/big.got; then pass dump-stopped
else fail dump-stopped "exit status $st after $stops stops, $(wc -l </tmp/big.got) lines; $(head -c 300 /tmp/big.err)"; fi

# `| head` closes the pipe after one line: rtm ends at its next write,
# killed by SIGPIPE like coreutils' programs (status 141), without a word.
first=$( { rtm route show big 2>/tmp/head.err; echo $? >/tmp/head.st; } | head -n 1)
st=$(cat /tmp/head.st)
if [ "$first" = "10.0.0.0/32 via 11.1.1.1 dev eth0/6" ] && [ "$st" = 141 ] && [ ! -s /tmp/head.err ]; then pass head-quiet
else fail head-quiet "first line '$first', exit status $st (want 141: SIGPIPE), stderr: $(head -c 300 /tmp/head.err)"; fi

# A route added while the dump is stopped halfway: the later parts carry
# NLM_F_DUMP_INTR; rtm says so, dumps again and prints the table as it is now.
# "Halfway": /proc/net/netlink shows the socket's dump running (column 7,
# Dump, is the core's cb_running) when rtm is stopped.
dumping() { awk '$2 == 31 && $7 == 1 { found = 1 } END { exit !found }' /proc/net/netlink; }
rtm route show big >/tmp/intr.out 2>/tmp/intr.err & pid=$!
n=0; while ! dumping && kill -0 $pid 2>/dev/null && [ $n -lt 500 ]; do n=$((n + 1)); done
kill -STOP $pid
halfway=no; dumping && halfway=yes
rtm route add big 11.0.0.0/32 via 11.1.1.1 dev eth0/6
kill -CONT $pid; wait $pid; st=$?
lines=$(wc -l </tmp/intr.out)
if [ $st = 0 ] && grep -q "interrupted, dumping again" /tmp/intr.err && [ "$lines" = $((BIG + 1)) ] \
   && grep -qx "11.0.0.0/32 via 11.1.1.1 dev eth0/6" /tmp/intr.out; then pass dump-intr
else fail dump-intr "stopped while dumping: $halfway; exit status $st, $lines lines, stderr: $(head -c 300 /tmp/intr.err)"; fi
rm -f /tmp/big /tmp/big.want /tmp/big.got /tmp/intr.out

ROUTE=$(route_hex t1 10.1.1.0 24)
probe_is truncated-header silence truncated-header --type 26
probe_is len-too-big silence len-too-big --type 26 --hex "$ROUTE"
probe_is len-too-small silence len-too-small --type 26
probe_is no-request-flag "ack seq=1" no-request-flag --type 26 --hex "$ROUTE"
probe_is unknown-type "error seq=1 EOPNOTSUPP" unknown-type
probe_is empty-payload "error seq=1 EINVAL" empty-payload --type 21 --flags 1024
probe_is big-payload "error seq=1 EMSGSIZE" big-payload --type 21 --flags 1024
nlprobe batch --count 100 --type 26 --hex "$ROUTE" >/tmp/batch.out
replies=$(grep -c "^reply type=ROUTE_NEW " /tmp/batch.out); acks=$(grep -c "^ack seq=" /tmp/batch.out)
[ "$replies" = 100 ] && [ "$acks" = 100 ] && pass batch-answered || fail batch-answered "$replies replies, $acks ACKs to 100 requests"
got=$(nlprobe batch-then-garbage --type 26 --hex "$ROUTE" | grep -c 'seq=1')
[ "$got" -ge 1 ] && pass garbage-after-valid || fail garbage-after-valid "the valid request got no answer"

probe_is prefix-len-33 "error seq=1 EINVAL" valid --type 24 --flags 1024 --hex "$(route_hex t1 10.0.0.0 33 1.1.1.1 e0)"
probe_is host-bits "error seq=1 EINVAL" valid --type 24 --flags 1024 --hex "$(route_hex t1 10.1.1.5 24 1.1.1.1 e0)"
probe_is name-too-long "error seq=1 ERANGE" valid --type 21 --flags 1024 --hex "$(sattr $A_TABLE 123456789012345678901234567890123)"
probe_is name-32 "ack seq=1" valid --type 21 --flags 1024 --hex "$(sattr $A_TABLE 12345678901234567890123456789012)"
probe_is missing-attr "error seq=1 EINVAL" valid --type 24 --flags 1024 --hex "$(route_hex t1 10.7.0.0 16)$(sattr $A_OIF e0)"
probe_is bad-address "error seq=1 ERANGE" valid --type 25 --hex "$(sattr $A_TABLE t1)$(attr $A_DST 0a0000)$(attr $A_DST_LEN 08)"

# The kernel as the oracle: the same inputs to NETLINK_ROUTE and to the
# module, the answers compared (one line per group; `nlconform --list`).
nlconform --profile rtm
quiet_under_flood log-flood --type 23 --hex "$(sattr $A_TABLE t1)" --attrs

# NLM_F_ECHO (8): the change's notification comes back to the requester,
# before the ACK, as rtnetlink sends it (NLM_F_CREATE|NLM_F_EXCL|NLM_F_ECHO).
probe_is echo "reply type=ROUTE_NEW seq=1 len=56;ack seq=1" valid --type 24 --flags 1544 \
  --hex "$(route_hex t1 10.8.0.0 16 1.1.1.1 e0)"
# A GET with NLM_F_ROOT (256) alone is a dump, as in rtnetlink: parts, then NLMSG_DONE.
got=$(nlprobe valid --type 23 --flags 256 --hex "" | tr '\n' ';')
case "$got" in
  "reply type=TABLE_NEW seq=1 "*"reply type=NLMSG_DONE seq=1 len=20;") pass root-is-dump ;;
  *) fail root-is-dump "expected TABLE_NEW parts and NLMSG_DONE, got '$got'" ;;
esac
# Extended ACKs: rtm prints the kernel's message and names the attribute it
# blames (the table name, at byte 16 of the request).
out=$(rtm table add 1234567890123456789012345678901234567890 2>&1)
case "$out" in
  *'ERANGE (Numerical result out of range): "'*'", at attribute TABLE (byte 16 of the request)'*) pass ext-ack ;;
  *) fail ext-ack "got: $out" ;;
esac

prints still-serving "10.1.1.0/24 via 12.1.1.1 dev eth1" rtm route get t1 10.1.1.0/24

total=0
for t in t1 t2 w b big 12345678901234567890123456789012; do
  total=$((total + $(rtm table get $t | cut -d' ' -f3)))
done
if rmmod rtm && ! rtm table get t1 2>/dev/null && logged "^rtm: unloading: freeing 6 tables and $total routes"; then
  pass unloads
else fail unloads "$(klog_of rtm | tail -n 1)"; fi
check no-oops no_oops
