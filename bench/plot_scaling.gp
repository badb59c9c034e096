# plot_scaling.gp: throughput and p99 latency against connections (edit, D=1) for Rooms
# (durability none), Redis and the echo server. Called by bench/compare_tables.py with
# -e "data='.../scaling.dat'; outdir='...'" (columns: connections, then ops/s and p99 per target).
set terminal pngcairo size 900,540 noenhanced
set key top left
set grid
set logscale x
set xlabel "connections (each with 1 request in flight)"

set output outdir."/throughput_vs_connections.png"
set title "edit throughput against connections (client and server on one 2-core box)"
set ylabel "requests/s"
plot data using 1:2 with linespoints title "Rooms (durability none)", \
     data using 1:4 with linespoints title "Redis EVALSHA HSET+PUBLISH", \
     data using 1:6 with linespoints title "echo server (loopback ceiling)"

set output outdir."/p99_vs_connections.png"
set title "edit p99 latency against connections"
set ylabel "p99 latency (ms, log scale)"
set logscale y
plot data using 1:($3/1000) with linespoints title "Rooms (durability none)", \
     data using 1:($5/1000) with linespoints title "Redis EVALSHA HSET+PUBLISH", \
     data using 1:($7/1000) with linespoints title "echo server (loopback ceiling)"
