# Lesson 08 checks, run inside the lab VM. One PASS/FAIL line per check.
. /lab/lib.sh

# wait_ready FILE...: until each monitor says it listens (at most 5 s).
wait_ready() {
  for f in "$@"; do
    n=0
    while ! grep -q "^monitor: listening" "$f" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  done
}
# wait_or_kill SECONDS PID...: wait for the processes, kill what is left.
wait_or_kill() {
  s=$1; shift
  n=0
  while [ $n -lt $((s * 10)) ]; do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.1; n=$((n + 1))
  done
  kill "$@" 2>/dev/null
}
# same NAME FILE: the monitor's events (after its first line) must be $WANT.
same() {
  got=$(sed 1d "$2" | tr '\n' ';')
  [ "$got" = "$WANT" ] && pass "$1" || fail "$1" "expected '$WANT', got '$got'"
}
# registered: the family's id and group ids, as the module logged them at
# its last load ("family rtm registered: id 28, version 1, groups tables 4 routes 5").
registered() {
  line=$(klog | grep "^rtm_genl: family rtm registered" | tail -n 1)
  id=$(echo "$line" | sed -n 's/.* id \([0-9]*\),.*/\1/p')
  gt=$(echo "$line" | sed -n 's/.* tables \([0-9]*\) .*/\1/p')
  gr=$(echo "$line" | sed -n 's/.* routes \([0-9]*\)$/\1/p')
}
# probe HEX [NLPROBE ARGS]: one request of the family (the generic header and
# attributes in HEX), answers with their extended ACKs, on one line.
probe() {
  hex=$1; shift
  nlprobe valid --protocol 16 --type "$id" --hex "$hex" --ext-ack "$@" | tr '\n' ';'
}

check loads insmod /lab/rtm_genl.ko
registered

# Exercise 8.3: the family found by name, as the controller describes it.
out=$(rtm family 2>&1)
if [ "$(echo "$out" | head -n 1)" = "family rtm: id $id, version 1, hdrsize 0, maxattr 6" ] &&
  echo "$out" | grep -qx "group tables: $gt" && echo "$out" | grep -qx "group routes: $gr"; then
  pass family-resolved
else fail family-resolved "the module registered id $id, groups tables $gt routes $gr; rtm family said: $(echo "$out" | tr '\n' '|')"; fi
out=$(rtm family nlctrl 2>&1)
echo "$out" | head -n 1 | grep -q "^family nlctrl: id 16, version 2," && echo "$out" | grep -qx "group notify: 16" &&
  pass family-nlctrl || fail family-nlctrl "$(echo "$out" | tr '\n' '|')"
out=$(rtm family nosuch 2>&1) && fail family-unknown "it succeeded: $out" || {
  echo "$out" | grep -q "ENOENT" && pass family-unknown || fail family-unknown "$out"; }

# Exercise 8.1: the operations, as the controller lists them.
ops=$(rtm family | grep "^op " | sort -n -k 2 | tr '\n' ';')
WANT="op 1 table-new: admin do;op 2 table-del: admin do;op 3 table-get: do dump;op 4 route-new: admin do;op 5 route-del: admin do;op 6 route-get: do dump;op 7 route-lookup: do;op 8 route-replace: admin do;"
[ "$ops" = "$WANT" ] && pass family-ops || fail family-ops "expected '$WANT', got '$ops'"

# The service. Table t1 made with nlprobe (TABLE_NEW, TABLE "t1"), which
# does not need exercise 8.3; a second one is EEXIST.
out=$(probe 010100000700010074310000; probe 010100000700010074310000)
echo "$out" | grep -q "^ack seq=1;.*error seq=1 EEXIST;ext-ack seq=1 msg=\"table exists\"" &&
  pass table-add || fail table-add "$out"
if rtm route add t1 10.1.1.0/24 via 11.1.1.1 dev eth0/6 >/tmp/out 2>&1 &&
  [ "$(rtm route get t1 10.1.1.0/24 2>&1)" = "10.1.1.0/24 via 11.1.1.1 dev eth0/6" ] &&
  ! rtm route add t1 10.1.1.0/24 via 11.1.1.2 dev eth0 2>/tmp/err && grep -q EEXIST /tmp/err; then pass route-add
else fail route-add "$(cat /tmp/out /tmp/err | tr '\n' ' ')"; fi
out=$(rtm route replace t1 10.1.1.0/24 via 12.1.1.1 dev eth1 2>&1 && rtm route get t1 10.1.1.0/24 2>&1)
[ "$out" = "10.1.1.0/24 via 12.1.1.1 dev eth1" ] && pass route-replace || fail route-replace "$out"
rtm route add t1 10.1.0.0/16 via 11.1.1.3 dev eth2 >/dev/null 2>&1
out=$(rtm route lookup t1 10.1.1.77 2>&1; rtm route lookup t1 10.1.200.1 2>&1)
[ "$out" = "$(printf '10.1.1.0/24 via 12.1.1.1 dev eth1\n10.1.0.0/16 via 11.1.1.3 dev eth2')" ] && pass route-lookup \
  || fail route-lookup "$(echo "$out" | tr '\n' '|')"
if rtm route del t1 10.1.0.0/16 >/tmp/out 2>&1 && ! rtm route get t1 10.1.0.0/16 2>/tmp/err && grep -q ENOENT /tmp/err; then
  pass route-del
else fail route-del "$(cat /tmp/out /tmp/err | tr '\n' ' ')"; fi
rtm table add t2
i=0
while [ $i -lt 300 ]; do rtm route add t2 10.2.$((i / 200)).$((i % 200))/32 via 1.1.1.1 dev e0; i=$((i + 1)); done
n=$(rtm route show t2 2>&1 | grep -c " via 1.1.1.1 dev e0$")
tables=$(rtm table show 2>&1 | tr '\n' ';')
[ "$n" = 300 ] && [ "$tables" = "t1 routes 1;t2 routes 300;" ] && pass route-show \
  || fail route-show "$n routes of 300 in the dump; table show: $tables; $(rtm route show t2 2>&1 | tail -n 1)"

# Permissions, per operation.
bad=
for c in "table add x" "table del t1" "route add t1 10.9.0.0/16 via 1.1.1.1 dev e0" \
  "route replace t1 10.1.1.0/24 via 1.1.1.1 dev e0" "route del t1 10.1.1.0/24"; do
  su student -c "rtm $c" >/dev/null 2>/tmp/err && bad="$bad|$c: allowed"
  grep -q EPERM /tmp/err || bad="$bad|$c: $(cat /tmp/err)"
done
[ -z "$bad" ] && pass eperm || fail eperm "$bad"
out=$(su student -c "rtm table show && rtm route get t1 10.1.1.0/24 && rtm route lookup t1 10.1.1.1 && rtm route show t1" 2>&1)
[ "$out" = "$(printf 't1 routes 1\nt2 routes 300\n10.1.1.0/24 via 12.1.1.1 dev eth1\n10.1.1.0/24 via 12.1.1.1 dev eth1\n10.1.1.0/24 via 12.1.1.1 dev eth1')" ] &&
  pass reads-unprivileged || fail reads-unprivileged "$(echo "$out" | tr '\n' '|')"

# Bad input, answered by the kernel's generic netlink layer before the
# module sees it. Generic header: cmd, version 1, two reserved bytes.
out=$(probe 63010000)
echo "$out" | grep -q "error seq=1 EOPNOTSUPP" && pass unknown-command || fail unknown-command "$out"
# TABLE_NEW, TABLE of 40 bytes and a NUL (at byte 20).
out1=$(probe "010100002d000100$(printf '78%.0s' $(seq 40))00000000")
# TABLE_GET, TABLE "t1", DST of 3 bytes (at byte 28): the policy is the
# family's, for every command.
out2=$(probe 030100000700010074310000070002000a010100)
if echo "$out1" | grep -q 'error seq=1 ERANGE;ext-ack seq=1 msg="Attribute failed policy validation" offs=20' &&
  echo "$out2" | grep -q 'error seq=1 ERANGE;ext-ack seq=1 msg="binary attribute size out of range" offs=28'; then
  pass policy-extack
else fail policy-extack "$out1 / $out2"; fi
# TABLE_GET, TABLE "t1", attribute 9 (a u32) at byte 28.
out=$(probe 030100000700010074310000080009002a000000)
echo "$out" | grep -q 'error seq=1 EINVAL;ext-ack seq=1 msg="Unknown attribute type" offs=28' && pass strict-attrs \
  || fail strict-attrs "$out"
# TABLE_GET without TABLE.
out=$(probe 03010000)
echo "$out" | grep -q 'error seq=1 EINVAL;ext-ack seq=1 miss_type=1;' && pass missing-attr || fail missing-attr "$out"
# TABLE_NEW "h1" with NLM_F_CREATE (0x400); TABLE_GET with reserved = 1.
out1=$(probe 010100000700010068310000 --flags 1024)
out2=$(probe 030101000700010074310000)
if echo "$out1" | grep -q 'error seq=1 EINVAL;ext-ack seq=1 msg="ambiguous or reserved bits set in nlmsg_flags"' &&
  echo "$out2" | grep -q 'error seq=1 EINVAL;ext-ack seq=1 msg="genlmsghdr.reserved field is not 0"'; then
  pass header-checks
else fail header-checks "$out1 / $out2"; fi

# Exercise 8.2: events. Changes nobody listens to: nothing may be sent.
rtm table add q && rtm route add q 10.0.0.0/8 via 1.1.1.1 dev e0 && rtm route del q 10.0.0.0/8 && rtm table del q
if rmmod rtm_genl && logged "^rtm_genl: 0 notifications were sent" && insmod /lab/rtm_genl.ko; then
  pass quiet-without-listeners
else fail quiet-without-listeners "$(klog_of rtm_genl | grep notifications)"; insmod /lab/rtm_genl.ko 2>/dev/null; fi
registered

# The scripted session, watched by four monitors at once.
rtm monitor --count 7 >/tmp/m1 2>&1 & p1=$!
su student -c "rtm monitor --count 7" >/tmp/m2 2>&1 & p2=$!
rtm monitor --count 7 --raw >/tmp/raw 2>&1 & p3=$!
rtm monitor --count 3 --tables >/tmp/tables 2>&1 & p4=$!
wait_ready /tmp/m1 /tmp/m2 /tmp/raw /tmp/tables
rtm table add s1
rtm route add s1 10.1.1.0/24 via 11.1.1.1 dev eth0/6
rtm route replace s1 10.1.1.0/24 via 12.1.1.1 dev eth1
rtm route add s1 10.2.0.0/16 via 11.1.1.2 dev eth2
rtm route del s1 10.1.1.0/24
rtm table add s2
rtm table del s1
wait_or_kill 5 $p1 $p2 $p3 $p4
cmds=$(sed 1d /tmp/raw | cut -d' ' -f1 | tr '\n' ' ')
# seq 2: each rtm's first request (seq 1) asks the controller for the family.
ports=$(sed 1d /tmp/raw | grep -c "seq=2 port=[1-9]")
[ "$cmds" = "table-new route-new route-replace route-new route-del table-new table-del " ] && [ "$ports" = 7 ] &&
  pass events-sent || fail events-sent "commands: $cmds; $ports events with the request's seq (2) and a port id"
WANT="table add s1;route add s1 10.1.1.0/24 via 11.1.1.1 dev eth0/6;route replace s1 10.1.1.0/24 via 12.1.1.1 dev eth1;route add s1 10.2.0.0/16 via 11.1.1.2 dev eth2;route del s1 10.1.1.0/24 via 12.1.1.1 dev eth1;table add s2;table del s1;"
same three-monitors /tmp/m1
same monitor-unprivileged /tmp/m2
WANT="table add s1;table add s2;table del s1;"
same tables-only /tmp/tables

# NLM_F_ECHO, with nobody listening: the requester hears of its change.
out=$(rtm --echo table add e1 2>&1)
[ "$out" = "table add e1" ] && pass echo || fail echo "rtm --echo table add e1 printed '$out'"

# TABLE_GET of table "t1", malformed in 1,000 ways, from user student.
quiet_under_flood log-flood --protocol 16 --type "$id" --hex 030100000700010074310000 --attrs

check unloads sh -c 'rmmod rtm_genl && ! rtm family 2>/dev/null'
check no-oops no_oops
