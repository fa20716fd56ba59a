#!/usr/bin/env bash
# Records the captures that trace/tests and the book's chapter "Watching
# netlink" use, from real lab runs of the reference solutions (two VM boots,
# about a minute when everything is built):
#   tests/data/02-greet.pcap, 02-greet.txt      lesson 02's demo, all of it
#   tests/data/05-rtm.pcap, 05-rtm-dump.txt     lesson 05's demo; listings of
#     05-rtm-batch.txt                          its route dump and its batch
#   tests/data/nlmon-create.txt                 the capture device's creation,
#                                               as nltrace printed it
# Run it from anywhere after changing the lessons' demos, the modules or the
# decoder (the tests say when): bash trace/record.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/trace/tests/data
cd "$root"
nltrace() { cargo run --quiet -p nltrace -- "$@"; }

cargo run --quiet -p course -- trace 2 --solution | tee /tmp/trace-02.out
cp target/trace/02-greet.pcap "$data/"
nltrace show "$data/02-greet.pcap" >"$data/02-greet.txt"
# nltrace's own listing of its RTM_NEWLINK and the kernel's ACK, without the
# two spaces it indents them by.
awk '/^nltrace: creating/ { on = 1; next } /^nltrace: capturing/ { on = 0 } on' /tmp/trace-02.out |
  sed 's/^  //' >"$data/nlmon-create.txt"

cargo run --quiet -p course -- trace 5 --solution >/dev/null
cp target/trace/05-rtm.pcap "$data/"
# From the first dump of routes (ROUTE_GET with DUMP) to its NLMSG_DONE.
range=$(nltrace show "$data/05-rtm.pcap" | awk '
  /^#/ { n = substr($1, 2); sub(/\..*/, "", n) }
  /ROUTE_GET/ && /DUMP/ && !first { first = n }
  first && /NLMSG_DONE/ { print first "-" n; exit }')
nltrace show "$data/05-rtm.pcap" --frames "$range" >"$data/05-rtm-dump.txt"
# From the batch (the first frame of several messages to the kernel) to the end.
range=$(nltrace show "$data/05-rtm.pcap" | awk '
  /^#[0-9]+\.1 .*to kernel/ && !first { first = substr($1, 2); sub(/\..*/, "", first) }
  /^#/ { n = substr($1, 2); sub(/\..*/, "", n) }
  END { print first "-" n }')
nltrace show "$data/05-rtm.pcap" --frames "$range" >"$data/05-rtm-batch.txt"
echo "recorded: $(cd "$data" && ls)"
