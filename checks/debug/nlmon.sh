# Guest script of lab/selftest.sh: an nlmon device sees protocol 31's
# messages (which it does only with lab/patches/0001).
. /lab/lib.sh
check nlmon-created ip link add nlmon0 type nlmon
check nlmon-up ip link set nlmon0 up
check loads insmod /lab/$1.ko
seen() { cat /sys/class/net/nlmon0/statistics/rx_packets; }
before=$(seen)
for i in 1 2 3; do nlprobe valid --wait-ms 20 >/dev/null; done
after=$(seen)
[ $((after - before)) -ge 3 ] && pass nlmon-sees-31 ||
  fail nlmon-sees-31 "nlmon0 counted $((after - before)) messages for 3 requests on protocol 31"
check unloads rmmod "$1"
check no-oops no_oops
