# Lesson 03 checks, run inside the lab VM. One PASS/FAIL line per check.
. /lab/lib.sh

# rep HEX N: HEX, N times over.
rep() {
  r= i=0
  while [ $i -lt "$2" ]; do r=$r$1; i=$((i + 1)); done
  echo "$r"
}

# A TLV as hex (wire::tlv): an EMPLOYEE_ID 7 (8 bytes, little-endian).
ID7=03080700000000000000

# probe_is NAME EXPECTED CASE [ARGS...]: nlprobe's answer must be exactly EXPECTED.
probe_is() {
  name=$1 want=$2; shift 2
  got=$(nlprobe "$@" 2>&1 | tr '\n' ';')
  [ "$got" = "$want;" ] && pass "$name" || fail "$name" "expected '$want', got '$got'"
}

# The kernel log lines written since `mark NAME`.
mark() { echo "check-mark: $1" >/dev/kmsg; }
since_mark() { klog | awk -v m="check-mark: $1" 'seen { print } $0 == m { seen = 1 }'; }

# summary_is NAME COUNTS ARGS...: `tlv send --ack ARGS` gets a TLV_SUMMARY
# that says COUNTS ("N names, N websites, N ids, N skipped") and an ACK.
# (The summary is read from the reply: the module's log is rate-limited.)
summary_is() {
  name=$1 want=$2; shift 2
  out=$(tlv send --ack "$@" 2>&1)
  said=$(echo "$out" | sed -n 's/.*the kernel understood \(.*\) (acked)$/\1/p')
  if [ "$said" = "$want" ]; then pass "$name"
  else fail "$name" "expected a summary of '$want' and an ACK; tlv printed: $(echo "$out" | tail -n 3 | tr '\n' '|')"; fi
}

check loads insmod /lab/tlv.ko

# The exercises of the userspace crate: their tests, run as a program.
for part in iter macro; do
  if out=$(tlv selftest $part 2>&1); then
    pass selftest-$part
  else
    fail selftest-$part "$(echo "$out" | grep -m 1 -e FAIL -e panicked) ($(echo "$out" | tail -n 1))"
  fi
done

# A record set from the program: 2 names, 1 website, 2 ids, and a TLV of
# unknown type 9, 66 + 66 + 18 + 4 = 154 bytes.
mark send
tlv send --ack --name Ada --name "Grace Hopper" --website https://kernel.org \
  --id 52437 --id 52438 --raw 9:cafe >/tmp/tlv.out 2>&1
check_logged sent "^tlv: TLV_RECORDS seq 1 from port [0-9]*: 154 bytes" /tmp/tlv.out
log=$(since_mark send)
missing=
for line in 'name "Ada"' 'name "Grace Hopper"' 'website "https://kernel.org"' 'employee id 52437' \
  'employee id 52438'; do
  echo "$log" | grep -qxF "tlv: $line" || missing="$missing '$line'"
done
[ -z "$missing" ] && pass records-logged || fail records-logged "the kernel log lacks$missing"
if grep -q "the kernel understood 2 names, 1 websites, 2 ids, 1 skipped (acked)" /tmp/tlv.out; then
  pass tlv-program
else
  fail tlv-program "$(tail -n 2 /tmp/tlv.out | tr '\n' ' ')"
fi

summary_is summary "1 names, 0 websites, 1 ids, 0 skipped" --name Ada --id 7

# TLV-level garbage inside a well-formed netlink message (--raw TYPE:HEX
# puts any TLV, well-formed or not, after the others).
summary_is tlv-zero-length "0 names, 0 websites, 1 ids, 1 skipped" --raw 1: --id 7
summary_is tlv-not-whole-units "0 names, 0 websites, 1 ids, 1 skipped" --raw "3:$(rep 01 12)" --id 7
summary_is tlv-unknown-type "0 names, 0 websites, 1 ids, 1 skipped" --raw 9:cafe --id 7
summary_is tlv-bad-string "0 names, 0 websites, 1 ids, 1 skipped" --raw "1:$(rep 41 32)" --id 7
set --
for i in $(seq 16); do set -- "$@" --raw "9:$(rep ee 254)"; done
summary_is at-limit "0 names, 0 websites, 0 ids, 16 skipped" "$@"
probe_is tlv-truncated "error seq=1 EINVAL" valid --type 33 --hex "${ID7}01"
probe_is tlv-past-end "error seq=1 EINVAL" valid --type 33 --hex "${ID7}03100000"

nlprobe batch --count 100 --type 33 --hex "$ID7" >/tmp/batch.out
summaries=$(grep -c "^reply type=TLV_SUMMARY " /tmp/batch.out)
[ "$summaries" = 100 ] && pass batch-summaries || fail batch-summaries "$summaries summaries for 100 requests"
answered=0
for seq in $(seq 1 100); do
  grep -qE "^(ack|error) seq=$seq( |\$)" /tmp/batch.out && answered=$((answered + 1))
done
[ $answered = 100 ] && pass batch-answered || fail batch-answered "$answered of 100 requests got an ACK or error"

# Netlink-level garbage, as in lesson 02.
probe_is truncated-header silence truncated-header --type 33 --hex "$ID7"
probe_is len-too-big silence len-too-big --type 33 --hex "$ID7"
probe_is len-too-small silence len-too-small --type 33 --hex "$ID7"
probe_is no-request-flag "ack seq=1" no-request-flag --type 33 --hex "$ID7"
probe_is unknown-type "error seq=1 EOPNOTSUPP" unknown-type --type 33 --hex "$ID7"
probe_is empty-payload "error seq=1 EINVAL" empty-payload --type 33
probe_is big-payload "error seq=1 EMSGSIZE" big-payload --type 33
got=$(nlprobe batch-then-garbage --type 33 --hex "$ID7" | grep -c 'seq=1')
[ "$got" -ge 1 ] && pass garbage-after-valid || fail garbage-after-valid "the valid request got no answer"
# The kernel as the oracle: the same inputs to NETLINK_ROUTE and to the
# module, the answers compared (one line per group; `nlconform --list`).
nlconform --profile tlv
quiet_under_flood log-flood --type 33 --hex "$ID7"

check_grep still-serving "seq=1" nlprobe valid --type 33 --hex "$ID7"

check unloads sh -c 'rmmod tlv && ! nlprobe valid --type 33 --hex 00 2>/dev/null'
# Thousands of mutated requests from root's and the student's processes,
# the module unloaded and loaded again meanwhile (nlfuzz --help). It loads
# /lab/tlv.ko itself and leaves it unloaded.
fuzz_module fuzz tlv /lab/tlv.ko
check no-oops no_oops
