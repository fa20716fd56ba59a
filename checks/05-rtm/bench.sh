# Lesson 05 benchmark, run inside the lab VM: routes per second into the rtm
# module and into the kernel's own routing table. Prints figures, asserts
# nothing. `make bench` runs it; by hand: `cargo run -q -p course -- bench 5`
# (LAB_TIMEOUT=900 gives it room: the lab's CPU is emulated).
#
# BENCH_COUNT (routes per measurement of `rtm bench`), BENCH_LOOP (routes of
# the busybox loop) and BENCH_RTM_LOOP (routes of the rtm loop) are the sizes.
. /lab/lib.sh

N=${BENCH_COUNT:-20000}
M=${BENCH_LOOP:-1000}
# One rtm process costs far more than one busybox process in the lab (a big
# static binary, started under an emulated CPU): fewer of them.
R=${BENCH_RTM_LOOP:-100}

# Seconds since boot, to the hundredth (busybox date has no %N).
now() { cut -d' ' -f1 /proc/uptime; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { t = b - a; if (t <= 0) t = 0.01; printf "%7d routes in %8.3f s = %9.0f routes/s\n", n, t, n / t }'; }

echo "BENCH: $(nproc 2>/dev/null || echo ?) CPU(s), $(grep MemTotal /proc/meminfo | tr -s ' ')"
insmod /lab/rtm.ko
ip link set lo up
echo "BENCH: rtm bench --count $N"
rtm bench --count "$N"

# The same kernel table through busybox `ip route add`, one process per route.
a=$(now)
i=0
while [ $i -lt "$M" ]; do
  ip route add 172.31.$((i / 256)).$((i % 256))/32 dev lo || break
  i=$((i + 1))
done
b=$(now)
printf '%-44s ' "busybox ip route add, 1 process per route"
rate "$i" "$a" "$b"

# The same number of routes into the module, one rtm process per route.
rtm table add loop
a=$(now)
i=0
while [ $i -lt "$R" ]; do
  rtm route add loop 172.31.$((i / 256)).$((i % 256))/32 via 1.1.1.1 dev lo || break
  i=$((i + 1))
done
b=$(now)
printf '%-44s ' "rtm route add, 1 process per route"
rate "$i" "$a" "$b"
rmmod rtm
