# Lesson 04 checks, run inside the lab VM. One PASS/FAIL line per check.
. /lab/lib.sh

# probe_is NAME EXPECTED CASE [ARGS...]: nlprobe's answer must be exactly EXPECTED.
probe_is() {
  name=$1 want=$2; shift 2
  got=$(nlprobe "$@" 2>&1 | tr '\n' ';')
  [ "$got" = "$want;" ] && pass "$name" || fail "$name" "expected '$want', got '$got'"
}

# log_has NAME PATTERN: the kernel log has a line matching PATTERN; on failure
# show the module's last lines about PERSON_SET requests.
log_has() {
  logged "$2" && pass "$1" || fail "$1" "$(klog_of person | grep -E 'PERSON_SET|registered|rejected|TODO' | tail -n 3 | tr '\n' '|')"
}

# ANCHOR: helpers
# Attributes as hex, for `nlprobe --hex`, built field by field. Netlink uses
# the host's byte order; the lab is x86_64, little-endian.
le16() { printf '%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)); }
u32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# raw TEXT: the bytes of TEXT; str TEXT: the same and a NUL.
raw() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
str() { raw "$1"; printf 00; }
# nla TYPE VALUE [LEN]: one attribute: nla_len (4 + the value's bytes, or
# LEN to lie), nla_type, the value, zeros up to a multiple of 4.
nla() {
  n=$((${#2} / 2))
  printf '%s%s%s' "$(le16 "${3:-$((n + 4))}")" "$(le16 "$1")" "$2"
  case $((n % 4)) in 1) printf 000000 ;; 2) printf 0000 ;; 3) printf 00 ;; esac
}
NESTED=32768 # NLA_F_NESTED
NAME=1 AGE=2 ADDRESS=3 STREET=1 CITY=2

ADA=$(nla $NAME "$(str Ada)")
# Ada, 36, Baker Street, London: what `person set` sends.
VALID="$ADA$(nla $AGE "$(u32 36)")$(nla $((ADDRESS | NESTED)) "$(nla $STREET "$(str 'Baker Street')")$(nla $CITY "$(str London)")")"
# ANCHOR_END: helpers

check loads insmod /lab/person.ko

got=$(person set --dump --name Ada --age 36 --street "Baker Street" --city London 2>&1)
[ "$got" = "$VALID" ] && pass dump || fail dump "expected $VALID, got '$got'"

person set --name Ada --age 36 --street "Baker Street" --city London >/tmp/person.out 2>&1
log_has request-logged "^person: PERSON_SET seq 1 from port [0-9]*: 52 bytes of attributes$"
check person-program sh -c 'grep -qx "  GREETING \"Hello Ada, 36, from London!\"" /tmp/person.out && grep -qx "  ID 1" /tmp/person.out || { cat /tmp/person.out; false; }'

probe_is reply "reply type=PERSON_REPLY seq=1 len=56;ack seq=1" valid --type 35 --hex "$VALID"
log_has person-logged '^person: registered #[0-9]*: name "Ada", age 36, street "Baker Street", city "London"$'

# Four senders at once, 50 people each: every number given once, none lost.
# The numbers are read from the replies (REPLY_ATTR_ID, type 2).
for i in 1 2 3 4; do nlprobe batch --count 50 --type 35 --hex "$VALID" --print-u32 2 >/tmp/senders.$i & done
wait
ids=$(cat /tmp/senders.* | grep -o ' attr2=[0-9]*' | grep -o '[0-9]*$' | sort -n)
total=$(echo "$ids" | grep -c .)
dups=$(echo "$ids" | uniq -d | tr '\n' ' ')
low=$(echo "$ids" | head -n 1) top=$(echo "$ids" | tail -n 1)
# Two people were registered before: the numbers run from 3 to 202.
if [ "$total" = 200 ] && [ -z "$dups" ] && [ "$low" = 3 ] && [ "$top" = 202 ]; then pass ids-unique
else fail ids-unique "$total of 200 numbers came back, from ${low:-none} to ${top:-none}; given twice: '$dups'"; fi

nlprobe batch --count 100 --type 35 --hex "$VALID" >/tmp/batch.out
replies=$(grep -c "^reply type=PERSON_REPLY " /tmp/batch.out)
[ "$replies" = 100 ] && pass batch-replies || fail batch-replies "$replies replies to 100 requests"
answered=0
for seq in $(seq 1 100); do
  grep -qE "^(ack|error) seq=$seq( |\$)" /tmp/batch.out && answered=$((answered + 1))
done
[ $answered = 100 ] && pass batch-answered || fail batch-answered "$answered of 100 requests got an ACK or error"

# Broken messages: the framing of lesson 02.
probe_is truncated-header silence truncated-header --type 35 --hex "$VALID"
probe_is len-too-big silence len-too-big --type 35 --hex "$VALID"
probe_is len-too-small silence len-too-small --type 35 --hex "$VALID"
probe_is no-request-flag "ack seq=1" no-request-flag --type 35 --hex "$VALID"
probe_is unknown-type "error seq=1 EOPNOTSUPP" unknown-type --type 35 --hex "$VALID"
probe_is empty-payload "error seq=1 EINVAL" empty-payload --type 35
probe_is big-payload "error seq=1 EMSGSIZE" big-payload --type 35
got=$(nlprobe batch-then-garbage --type 35 --hex "$VALID" | grep -c 'seq=1')
[ "$got" -ge 1 ] && pass garbage-after-valid || fail garbage-after-valid "the valid request got no answer"

# ANCHOR: bad_attributes
# Broken attributes: each request is valid but for one thing.
probe_is attr-shorter-than-header "error seq=1 EINVAL" valid --type 35 --hex "${ADA}02000200"
probe_is attr-past-end "error seq=1 EINVAL" valid --type 35 --hex "$ADA$(nla $AGE "$(u32 36)" 64)"
probe_is unknown-attrs-refused "error seq=1 EINVAL" valid --type 35 \
  --hex "$ADA$(nla 9 "$(u32 7)")$(nla $AGE "$(u32 36)")"
probe_is string-without-nul "error seq=1 EINVAL" valid --type 35 --hex "$(nla $NAME "$(raw Ada)")"
probe_is u32-wrong-size "error seq=1 EINVAL" valid --type 35 --hex "$ADA$(nla $AGE 2400)"
probe_is name-too-long "error seq=1 EINVAL" valid --type 35 --hex "$(nla $NAME "$(str abcdefghijklmnopqrstuvwxyz012345)")"
probe_is nested-malformed "error seq=1 EINVAL" valid --type 35 \
  --hex "$ADA$(nla $((ADDRESS | NESTED)) "$(nla $CITY "$(str London)" 40)")"
probe_is nested-bad-string "error seq=1 EINVAL" valid --type 35 \
  --hex "$ADA$(nla $((ADDRESS | NESTED)) "$(nla $CITY "$(raw London)")")"
probe_is missing-name "error seq=1 EINVAL" valid --type 35 --hex "$(nla $AGE "$(u32 36)")"
probe_is nested-flag-required "error seq=1 EINVAL" valid --type 35 \
  --hex "$ADA$(nla $ADDRESS "$(nla $CITY "$(str London)")")"
# ANCHOR_END: bad_attributes

# Extended ACKs through the program: the kernel's message and the attribute
# it blames, by name; a required attribute that is missing, by name.
out=$(person set --name abcdefghijklmnopqrstuvwxyz0123456789 2>&1)
case "$out" in
  *'EINVAL (Invalid argument): "Attribute failed policy validation", at attribute NAME (byte 16 of the request)'*) pass ext-ack-bad-attr ;;
  *) fail ext-ack-bad-attr "got: $out" ;;
esac
out=$(person set --age 36 2>&1)
case "$out" in
  *'EINVAL (Invalid argument)'*'attribute NAME missing'*) pass ext-ack-missing ;;
  *) fail ext-ack-missing "got: $out" ;;
esac
# The kernel as the oracle: the same inputs to NETLINK_ROUTE and to the
# module, the answers compared (one line per group; `nlconform --list`).
nlconform --profile person
quiet_under_flood log-flood --type 35 --hex "$VALID" --attrs

probe_is still-serving "reply type=PERSON_REPLY seq=1 len=56;ack seq=1" valid --type 35 --hex "$VALID"

check unloads sh -c 'rmmod person && ! nlprobe valid 2>/dev/null'
check no-oops no_oops
