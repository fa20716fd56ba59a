# Lesson 05 demo: load the module, make tables and routes, read them back.
. /lab/lib.sh

show insmod /lab/rtm.ko
show rtm table add main
show rtm route add main 10.1.1.0/24 via 11.1.1.1 dev eth0/6
show rtm route add main 10.1.0.0/16 via 11.1.1.2 dev eth1
show rtm route add main 0.0.0.0/0 via 11.1.1.254 dev eth2
show rtm route add main 10.1.1.0/24 via 11.1.1.1 dev eth0/6
show rtm route show main
show rtm route lookup main 10.1.1.77
show rtm route lookup main 192.168.7.7
show rtm route del main 10.1.0.0/16
show rtm table show
show su student -c "rtm route add main 10.9.0.0/16 via 1.1.1.1 dev eth9"
printf 'table add lab\nroute add lab 10.0.0.0/8 via 1.1.1.1 dev eth0\nroute add lab 10.0.0.0/8 via 1.1.1.1 dev eth0\nroute get lab 10.0.0.0/8\n' >/tmp/cmds
show cat /tmp/cmds
show rtm batch /tmp/cmds
show klog_of rtm
show rmmod rtm
