# Lesson 03 checks, run inside the lab VM. One PASS/FAIL line per check.
. /lab/lib.sh

# rep HEX N: HEX, N times over.
rep() {
  r= i=0
  while [ $i -lt "$2" ]; do r=$r$1; i=$((i + 1)); done
  echo "$r"
}

# TLVs as hex (wire::tlv): an EMPLOYEE_ID 7 (8 bytes, little-endian), and a
# NAME "Ada" (one 32-byte unit, NUL-padded).
ID7=03080700000000000000
NAME_ADA=0120416461$(rep 00 29)

# probe_is NAME EXPECTED CASE [ARGS...]: nlprobe's answer must be exactly EXPECTED.
probe_is() {
  name=$1 want=$2; shift 2
  got=$(nlprobe "$@" 2>&1 | tr '\n' ';')
  [ "$got" = "$want;" ] && pass "$name" || fail "$name" "expected '$want', got '$got'"
}

# The kernel log lines written since `mark NAME`.
mark() { echo "check-mark: $1" >/dev/kmsg; }
since_mark() { klog | awk -v m="check-mark: $1" 'seen { print } $0 == m { seen = 1 }'; }

# probe_summary NAME COUNTS HEX: a TLV_RECORDS request with payload HEX is
# answered with a TLV_SUMMARY and an ACK, and the module's summary line for
# it says COUNTS ("N names, N websites, N ids, N skipped").
probe_summary() {
  name=$1 want=$2 hex=$3
  mark "$name"
  got=$(nlprobe valid --type 33 --hex "$hex" 2>&1 | tr '\n' ';')
  said=$(since_mark "$name" | sed -n 's/^tlv: summary for port [0-9]* (seq 1): //p')
  if [ "$got" != "reply type=TLV_SUMMARY seq=1 len=32;ack seq=1;" ]; then
    fail "$name" "expected a TLV_SUMMARY and an ACK, got '$got'"
  elif [ "$said" != "$want" ]; then
    fail "$name" "the module's summary says '$said', expected '$want'"
  else
    pass "$name"
  fi
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

probe_summary summary "1 names, 0 websites, 1 ids, 0 skipped" "$NAME_ADA$ID7"

# TLV-level garbage inside a well-formed netlink message.
probe_summary tlv-zero-length "0 names, 0 websites, 1 ids, 1 skipped" "0100$ID7"
probe_summary tlv-not-whole-units "0 names, 0 websites, 1 ids, 1 skipped" "030c$(rep 01 12)$ID7"
probe_summary tlv-unknown-type "0 names, 0 websites, 1 ids, 1 skipped" "0902cafe$ID7"
probe_summary tlv-bad-string "0 names, 0 websites, 1 ids, 1 skipped" "0120$(rep 41 32)$ID7"
probe_summary at-limit "0 names, 0 websites, 0 ids, 16 skipped" "$(rep "09fe$(rep ee 254)" 16)"
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
probe_is no-request-flag silence no-request-flag --type 33 --hex "$ID7"
probe_is unknown-type "error seq=1 EOPNOTSUPP" unknown-type --type 33 --hex "$ID7"
probe_is empty-payload "error seq=1 EINVAL" empty-payload --type 33
probe_is big-payload "error seq=1 EMSGSIZE" big-payload --type 33
got=$(nlprobe batch-then-garbage --type 33 --hex "$ID7" | grep -c 'seq=1')
[ "$got" -ge 1 ] && pass garbage-after-valid || fail garbage-after-valid "the valid request got no answer"
check_grep still-serving "seq=1" nlprobe valid --type 33 --hex "$ID7"

check unloads sh -c 'rmmod tlv && ! nlprobe valid --type 33 --hex 00 2>/dev/null'
check no-oops no_oops
