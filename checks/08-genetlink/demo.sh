# Lesson 08 demo: the family found by name, used, and watched.
. /lab/lib.sh

show insmod /lab/rtm_genl.ko
show klog_of rtm_genl
show rtm family
rtm monitor >/tmp/root.events 2>&1 & p1=$!
su student -c "rtm monitor --routes" >/tmp/student.events 2>&1 & p2=$!
sleep 1
show rtm table add main
show rtm route add main 10.1.1.0/24 via 11.1.1.1 dev eth0/6
show rtm route replace main 10.1.1.0/24 via 12.1.1.1 dev eth1
show rtm route add main 0.0.0.0/0 via 11.1.1.254 dev eth2
show rtm route lookup main 10.1.1.77
show rtm route show main
show rtm --echo route del main 10.1.1.0/24
show su student -c "rtm table add spare"
show rtm family nosuch
sleep 1
show cat /tmp/root.events
show cat /tmp/student.events
# A monitor holds a generic netlink socket, not one of our module's: the
# module can unload under it (its groups are dropped).
kill $p1 $p2 2>/dev/null
wait
show rmmod rtm_genl
show rtm family
