# Lesson 06 checks, run inside the lab VM. One PASS/FAIL line per check.
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

check loads insmod /lab/rtm_notify.ko

# Changes nobody listens to: nothing may be sent.
rtm table add q && rtm route add q 10.0.0.0/8 via 1.1.1.1 dev e0 && rtm route del q 10.0.0.0/8 && rtm table del q
if rmmod rtm_notify && logged "^rtm_notify: 0 notifications were sent" && insmod /lab/rtm_notify.ko; then
  pass quiet-without-listeners
else fail quiet-without-listeners "$(klog_of rtm_notify | grep notifications)"; fi

# The scripted session, watched by five monitors at once.
rtm monitor --count 8 >/tmp/m1 2>&1 & p1=$!
rtm monitor --count 8 --join bind >/tmp/m2 2>&1 & p2=$!
su student -c "rtm monitor --count 8" >/tmp/m3 2>&1 & p3=$!
rtm monitor --count 8 --raw >/tmp/raw 2>&1 & p4=$!
rtm monitor --count 3 --raw --tables >/tmp/tables 2>&1 & p5=$!
wait_ready /tmp/m1 /tmp/m2 /tmp/m3 /tmp/raw /tmp/tables
rtm table add s1
rtm route add s1 10.1.1.0/24 via 11.1.1.1 dev eth0/6
rtm route replace s1 10.1.1.0/24 via 12.1.1.1 dev eth1
rtm route add s1 10.2.0.0/16 via 11.1.1.2 dev eth2
rtm route del s1 10.1.1.0/24
rtm table add s2
rtm table del s1
wait_or_kill 5 $p1 $p2 $p3 $p4 $p5

types=$(sed 1d /tmp/raw | cut -d' ' -f1 | tr '\n' ' ')
[ "$types" = "TABLE_NEW ROUTE_NEW ROUTE_NEW ROUTE_NEW ROUTE_DEL TABLE_NEW TABLE_DEL ROUTE_DEL " ] && pass events-sent \
  || fail events-sent "got: $types"
flags=$(sed -n '3,4p' /tmp/raw | cut -d' ' -f2 | tr '\n' ' ')
ports=$(sed 1d /tmp/raw | grep -c "port=[1-9]")
[ "$flags" = "flags=0x600 flags=0x100 " ] && [ "$ports" = 8 ] && pass event-flags \
  || fail event-flags "flags of the two route events: $flags; $ports events with a port id"
WANT="table add s1;route add s1 10.1.1.0/24 via 11.1.1.1 dev eth0/6;route replace s1 10.1.1.0/24 via 12.1.1.1 dev eth1;route add s1 10.2.0.0/16 via 11.1.1.2 dev eth2;route del s1 10.1.1.0/24 via 12.1.1.1 dev eth1;table add s2;table del s1;route del s1 every route;"
same three-monitors /tmp/m1
same monitor-bind /tmp/m2
same monitor-unprivileged /tmp/m3
got=$(sed 1d /tmp/tables | cut -d' ' -f1 | tr '\n' ' ')
[ "$got" = "TABLE_NEW TABLE_NEW TABLE_DEL " ] && pass tables-only || fail tables-only "got: $got"

# NLM_F_ECHO (8) with NLM_F_CREATE|NLM_F_EXCL, while a monitor listens: the
# requester gets the notification once, then the ACK; the monitor gets it too.
rtm table add x
rtm monitor --count 1 --routes >/tmp/mx 2>&1 & px=$!
wait_ready /tmp/mx
got=$(nlprobe valid --type 24 --flags 1544 --hex "0600010078000000080002000a080000050003001000000008000400010101010700050065300000" | tr '\n' ';')
wait_or_kill 3 $px
if [ "$got" = "reply type=ROUTE_NEW seq=1 len=56;ack seq=1;" ] && grep -q "^route add x 10.8.0.0/16" /tmp/mx; then pass echo
else fail echo "the requester got '$got'; the monitor: $(sed 1d /tmp/mx | tr '\n' ';')"; fi

# A slow reader with a tiny queue: 500 route events overflow it.
rtm table add e
rtm monitor --routes --rcvbuf 1024 --delay-ms 2000 >/tmp/slow 2>&1 & ps=$!
wait_ready /tmp/slow
awk 'BEGIN { for (i = 0; i < 500; i++) printf "route add e 10.%d.%d.0/24 via 11.1.1.1 dev eth0\n", int(i / 250), i % 250 }' >/tmp/e
rtm batch -q /tmp/e >/dev/null
# The routes of the last resynchronisation (a slow kernel, the debug one,
# can overflow the monitor several times while the batch runs): once it is
# done with all 500, or after 30 s.
last_sync() { awk '/ENOBUFS/ { n = 0; done = 0 } /^sync: route e / { n++ } /^sync: done/ { done = 1 } END { print n, done }' /tmp/slow; }
n=0; while [ "$(last_sync)" != "500 1" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
kill $ps 2>/dev/null
synced=$(last_sync | cut -d' ' -f1)
grep -q "ENOBUFS" /tmp/slow && [ "$synced" = 500 ] && pass enobufs \
  || fail enobufs "$(grep -c ENOBUFS /tmp/slow) ENOBUFS lines, $synced routes resynchronised"

# Tables that vanish while a monitor resynchronises: 1,000 tables overflow a
# slow monitor's queue; as soon as it says it resynchronises, all are
# deleted. Those gone between its table dump and their route dumps (ENOENT)
# are left out; the monitor must go on, not fail.
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "table add c%d\n", i }' >/tmp/cadd
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "table del c%d\n", i }' >/tmp/cdel
rtm monitor --tables --rcvbuf 1024 --delay-ms 1000 >/tmp/churn 2>&1 & pc=$!
wait_ready /tmp/churn
rtm batch -q /tmp/cadd >/dev/null 2>&1
n=0; while ! grep -q "resynchronising" /tmp/churn && [ $n -lt 300 ]; do sleep 0.01; n=$((n + 1)); done
rtm batch -q /tmp/cdel >/dev/null 2>&1
n=0; while ! grep -q "^sync: done" /tmp/churn && kill -0 $pc 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
sleep 1
if kill -0 $pc 2>/dev/null && grep -q "^sync: done" /tmp/churn; then pass resync-vanishing
else fail resync-vanishing "the monitor $(kill -0 $pc 2>/dev/null && echo runs || echo ended): $(grep -v '^sync: \|^table ' /tmp/churn | tail -n 3 | tr '\n' '|')"; fi
kill $pc 2>/dev/null

# A monitor whose reader went away (`rtm monitor | head -n 2`) ends quietly
# at its next event, killed by SIGPIPE (status 141), as coreutils do.
rm -f /tmp/pipe.st
{ rtm monitor --tables 2>/tmp/pipe.err & echo $! >/tmp/pipe.pid; wait $!; echo $? >/tmp/pipe.st; } | head -n 2 >/tmp/pipe.out &
n=0
while [ ! -s /tmp/pipe.st ] && [ $n -lt 50 ]; do rtm table add p$n; sleep 0.1; n=$((n + 1)); done
i=0; while [ $i -lt $n ]; do rtm table del p$i; i=$((i + 1)); done
st=$(cat /tmp/pipe.st 2>/dev/null)
if [ "$st" = 141 ] && [ ! -s /tmp/pipe.err ] && [ "$(wc -l </tmp/pipe.out)" = 2 ]; then pass monitor-pipe-closed
else fail monitor-pipe-closed "after $n events: exit status '${st:-still running}' (want 141), stderr: $(head -c 200 /tmp/pipe.err)"; fi
kill "$(cat /tmp/pipe.pid)" 2>/dev/null # still running if it missed the closed pipe
# The kernel as the oracle: the same inputs to NETLINK_ROUTE and to the
# module, the answers compared (one line per group; `nlconform --list`).
nlconform --profile rtm-notify
# TABLE_GET of table "t1": nla_len 7, type 1 (TABLE), "t1\0", one byte of padding.
quiet_under_flood log-flood --type 23 --hex 0700010074310000 --attrs

check unloads sh -c 'rmmod rtm_notify && ! rtm table get e 2>/dev/null'
check no-oops no_oops
