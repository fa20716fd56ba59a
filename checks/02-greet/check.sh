# Lesson 02 checks, run inside the lab VM. One PASS/FAIL line per check.
. /lab/lib.sh

# probe_is NAME EXPECTED CASE [ARGS...]: nlprobe's answer must be exactly EXPECTED.
probe_is() {
  name=$1 want=$2; shift 2
  got=$(nlprobe "$@" 2>&1 | tr '\n' ';')
  [ "$got" = "$want;" ] && pass "$name" || fail "$name" "expected '$want', got '$got'"
}

check loads insmod /lab/greet.ko

greet send hello >/tmp/greet.out 2>&1
check_logged sent "^greet: GREET seq 1 from port [0-9]*: 5 bytes" /tmp/greet.out

# "probe": 16 bytes of header, 33 of prefix, 5 of text and the NUL.
TEXT=$(printf 'Hello from the kernel! You said: probe' | od -An -v -tx1 | tr -d ' \n')00
probe_is reply "reply type=GREET_REPLY seq=1 len=55 payload=$TEXT;ack seq=1" valid --print-payload
# A request whose nlmsg_pid names another socket of ours: the answers go to
# the sender (the port the kernel recorded), none to the other socket.
probe_is reply-to-sender "reply type=GREET_REPLY seq=1 len=55;ack seq=1" pid-of-other-socket

check_grep greet-program 'kernel replied "Hello from the kernel! You said: hello" (acked)' greet send --ack hello

out=$(greet send --sockets 2 hi 2>&1)
ports=$(echo "$out" | grep -o '^port [0-9]*' | sort -u | wc -l)
[ "$ports" = 2 ] && pass two-sockets || fail two-sockets "$(echo "$out" | tr '\n' ' ')"

# Done is done: once `greet send` has ended, no socket of it is left to keep
# the module loaded (its receiver thread let go of the socket).
check closes-socket sh -c 'greet send bye >/dev/null 2>&1; rmmod greet && insmod /lab/greet.ko'

nlprobe batch --count 100 >/tmp/batch.out
replies=$(grep -c "^reply type=GREET_REPLY " /tmp/batch.out)
[ "$replies" = 100 ] && pass batch-replies || fail batch-replies "$replies replies to 100 requests"
answered=0
for seq in $(seq 1 100); do
  grep -qE "^(ack|error) seq=$seq( |\$)" /tmp/batch.out && answered=$((answered + 1))
done
[ $answered = 100 ] && pass batch-answered || fail batch-answered "$answered of 100 requests got an ACK or error"

probe_is truncated-header silence truncated-header
probe_is len-too-big silence len-too-big
probe_is len-too-small silence len-too-small
probe_is no-request-flag "ack seq=1" no-request-flag
probe_is unknown-type "error seq=1 EOPNOTSUPP" unknown-type
probe_is empty-payload "error seq=1 EINVAL" empty-payload
probe_is big-payload "error seq=1 EMSGSIZE" big-payload
got=$(nlprobe batch-then-garbage | grep -c 'seq=1')
[ "$got" -ge 1 ] && pass garbage-after-valid || fail garbage-after-valid "the valid request got no answer"
# The kernel as the oracle: the same inputs to NETLINK_ROUTE and to the
# module, the answers compared (one line per group; `nlconform --list`).
nlconform --profile greet
quiet_under_flood log-flood

check_grep still-serving "seq=1" nlprobe valid

check unloads sh -c 'rmmod greet && ! nlprobe valid 2>/dev/null'
# Thousands of mutated requests from root's and the student's processes,
# the module unloaded and loaded again meanwhile (nlfuzz --help). It loads
# /lab/greet.ko itself and leaves it unloaded.
fuzz_module fuzz greet /lab/greet.ko
check no-oops no_oops
