# Lesson 07 demo: rt changes the kernel's own routing table, ip route agrees,
# rt monitor watches busybox's ip make changes, and bad input gets the
# kernel's own answers.
. /lab/lib.sh

show ip link set lo up
show ip link add d0 type dummy
show ip addr add 192.0.2.1/24 dev d0
show ip link set d0 up
show rt link d0
show rt add 10.1.0.0/16 via 192.0.2.254
show rt add 10.2.0.0/16 dev d0 metric 7
show rt add 10.3.0.0/16 dev d0 table 1000
show ip route
show rt show
show rt show table all
show rt get 10.1.2.3
rt monitor --count 3 >/tmp/mon.out 2>&1 &
sleep 0.3
show ip route add 10.20.0.0/16 via 192.0.2.253
show ip route replace 10.20.0.0/16 via 192.0.2.252
show ip route del 10.20.0.0/16
wait
show cat /tmp/mon.out
show rt add 10.1.0.0/16 via 192.0.2.254
show rt add 10.0.0.0/33 dev d0
show rt add 10.1.2.3/16 dev d0
show rt change 10.9.0.0/16 dev d0
show rt del 10.9.0.0/16 table 4000
show rt show table 4242
show rt show --header scope=253
show su student -c "rt add 10.11.0.0/16 dev d0"
show rt del 10.1.0.0/16
show ip route
