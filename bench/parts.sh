# SPDX-License-Identifier: GPL-2.0-only
# Sourced by bench/run (its variables and helpers: WORK BOBJ IOTSENSE BENCH_CPU say die part): the user-space,
# peers and RSS parts of issue 8. Runs what BENCH_PARTS names, then parts_targets and parts_sections write their
# rows and sections of RESULTS.md. See bench/README.md.

PART_CMDS=()
US_TSV=$WORK/userspace.tsv
PEERS_DIR=$WORK/peers
RSS_TSV=$WORK/rss.tsv
DET_NOTE=""

# The generator's captures, cached in the build dir under a name made of the options and the generator's own
# hash: the same options and generator give the same bytes, so a cached file is the file it would make again.
gencap() { # name options...
	local name=$1 key f
	shift
	key=$( (sha256sum bench/gencap.py | cut -c1-16; echo "$*") | sha256sum | cut -c1-12)
	f=$BOBJ/cap-$name-$key.pcap
	if [ ! -s "$f" ]; then
		say "gencap: $* (cached as $f)"
		nice -n 10 python3 bench/gencap.py -o "$f.tmp" "$@" 2>"$WORK/gencap-$name.log" || die "gencap $name failed"
		mv "$f.tmp" "$f"
		cp "$WORK/gencap-$name.log" "$f.log"
	fi
	PART_CMDS+=("python3 bench/gencap.py -o CAPTURE $*   # $(cat "$f.log" 2>/dev/null | sed 's/^gencap: [^:]*: //')")
	echo "$f"
}

if part userspace || part peers || part rss; then
	# Determinism: the same seed twice, byte for byte.
	python3 bench/gencap.py -o "$WORK/det1.pcap" --seed "$GENCAP_SEED" --packets 20000 2>/dev/null &&
		python3 bench/gencap.py -o "$WORK/det2.pcap" --seed "$GENCAP_SEED" --packets 20000 2>/dev/null
	d1=$(sha256sum <"$WORK/det1.pcap" | cut -c1-16)
	d2=$(sha256sum <"$WORK/det2.pcap" | cut -c1-16)
	if [ "$d1" = "$d2" ]; then
		DET_NOTE="deterministic: two runs with seed $GENCAP_SEED (20 000 packets) gave the same sha256 ($d1…)"
	else
		DET_NOTE="**not deterministic**: two runs with seed $GENCAP_SEED gave $d1… and $d2…"
	fi
	rm -f "$WORK/det1.pcap" "$WORK/det2.pcap"
fi
if part userspace || part peers; then
	MIXED_CAP=$(gencap mixed --seed "$GENCAP_SEED" --packets "$PEER_PACKETS")
	MIXED_SHA=$(sha256sum <"$MIXED_CAP" | cut -c1-16)
fi

# ---- user space: the recorded stream through pipeline_event ----
if part userspace; then
	cmd="taskset -c $BENCH_CPU $BOBJ/userspace -r $MIXED_CAP -d $WORK/us -p $US_PASSES -R $US_ROUNDS"
	PART_CMDS+=("$cmd")
	say "userspace: $cmd"
	mkdir -p "$WORK/us"
	timeout --kill-after=10 3600 $cmd >"$US_TSV" 2>"$WORK/userspace.log" || {
		tail -n 5 "$WORK/userspace.log" >&2
		die "userspace failed"
	}
	# Where the time goes: one more round of both stages under perf (not part of the figures).
	if command -v perf >/dev/null 2>&1 && part profile; then
		cmd="perf record -q -F 300 --call-graph dwarf,16384 -o $WORK/perf-us.data -- $BOBJ/userspace -r $MIXED_CAP -d $WORK/us -p 1 -R 1"
		PART_CMDS+=("$cmd")
		say "profile: $cmd"
		timeout --kill-after=10 1200 taskset -c "$BENCH_CPU" $cmd >/dev/null 2>"$WORK/perf-us.log" ||
			rm -f "$WORK/perf-us.data"
	fi
fi

# ---- peers on the same capture ----
if part peers; then
	mkdir -p "$PEERS_DIR"
	cmd="bash bench/peers.sh $IOTSENSE $MIXED_CAP $PEERS_DIR $PEER_ROUNDS $BENCH_CPU"
	PART_CMDS+=("$cmd")
	say "peers: $cmd"
	timeout --kill-after=10 7200 $cmd || die "peers failed"
	while IFS=$'\t' read -r t c; do PART_CMDS+=("  $t: taskset -c $BENCH_CPU /usr/bin/time $c"); done <"$PEERS_DIR/commands.tsv"
fi

# ---- RSS: 10 000 devices, 1 000 000 flows ----
if part rss; then
	RSS_CAP=$(gencap rss --seed "$GENCAP_SEED" --mix flows --hosts "$RSS_HOSTS" --sessions "$RSS_FLOWS")
	cmd="taskset -c $BENCH_CPU $BOBJ/userspace -D -r $RSS_CAP -d $WORK/rss"
	PART_CMDS+=("$cmd")
	say "rss: $cmd"
	mkdir -p "$WORK/rss"
	timeout --kill-after=10 3600 $cmd >"$RSS_TSV" 2>"$WORK/rss.log" || { tail -n 5 "$WORK/rss.log" >&2; die "rss failed"; }
	mkdir -p "$WORK/rss-replay"
	cmd="taskset -c $BENCH_CPU /usr/bin/time -f %M -o $WORK/rss-replay.kb $IOTSENSE replay --no-progress --state-dir $WORK/rss-replay -o $WORK/rss-replay.ndjson $RSS_CAP"
	PART_CMDS+=("$cmd")
	say "rss: $cmd"
	timeout --kill-after=10 3600 $cmd 2>"$WORK/rss-replay.log" || { tail -n 5 "$WORK/rss-replay.log" >&2; die "rss replay failed"; }
	RSS_REPLAY_KB=$(tail -n1 "$WORK/rss-replay.kb")
	RSS_REPLAY_FLOWS=$(grep -c '"record":"flow","class_uid":4001,"event":"start"' "$WORK/rss-replay.ndjson" || true)
	RSS_REPLAY_DEVICES=$(grep -c '"record":"device"' "$WORK/rss-replay.ndjson" || true)
	rm -f "$WORK/rss-replay.ndjson"
fi

# ---- RESULTS.md ----

# Per stage: events per CPU second per round -> median, min, max; and per wall second.
us_rate() { # stage field(cpu=4|wall=5) -> "median min max"
	awk -F'\t' -v st="$1" -v f="$2" "$AWK_LIB"'NR > 1 && $2 == st && $f > 0 { n++; r[n] = $3 / $f }
		END { if (n) printf "%.0f %.0f %.0f", med(r, n), mn(r, n), mx(r, n) }' "$US_TSV"
}

verdict_rate() { # value target unit
	awk -v v="$1" -v t="$2" -v u="$3" 'BEGIN { if (v == "") print "not measured"; else if (v >= t) printf "met (%.2f× the target)", v / t;
		else printf "**missed**: %.3g%s of the target, %.1f× short", 100 * v / t, "%", t / v }'
}

# Peers: per round, the other tool's wall time over iotsense's; median (min – max).
peer_ratio() { # tool
	awk -F'\t' -v t="$1" "$AWK_LIB"'NR > 1 { w[$1, $2] = $3; r[$1] = 1 }
		END { for (k in r) if (w[k, "iotsense"] > 0 && w[k, t] > 0) { n++; a[n] = w[k, t] / w[k, "iotsense"] }
		      if (n) printf "%.2f %.2f %.2f", med(a, n), mn(a, n), mx(a, n) }' "$PEERS_DIR/peers.tsv"
}

parts_targets() {
	local v r
	if part userspace && [ -s "$US_TSV" ]; then
		read -r v _ <<<"$(us_rate pipeline 4)"
		echo "| user space ≥ 1 000 000 decoded events/s per core (bench/userspace, stage \`pipeline\`: decoders, inventory, assessment, NDJSON) | $v ev/s | $(verdict_rate "$v" 1000000 "") |"
		read -r v _ <<<"$(us_rate store 4)"
		echo "| the same with the store and one output (stage \`store\`) | $v ev/s | $(verdict_rate "$v" 1000000 "") |"
	fi
	if part peers && [ -s "$PEERS_DIR/peers.tsv" ]; then
		read -r r _ <<<"$(peer_ratio ndpiReader)"
		echo "| \`iotsense replay\` ≥ 5× faster than \`ndpiReader -i\` (wall, mixed capture, median of the per-round ratios) | ${r:-–}× | $(verdict_rate "$r" 5 "") |"
		read -r r _ <<<"$(peer_ratio p0f)"
		echo "| \`iotsense replay\` ≥ 3× faster than \`p0f -r\` (same) | ${r:-–}× | $(verdict_rate "$r" 3 "") |"
	fi
	if part rss && [ -s "$RSS_TSV" ]; then
		v=$(awk -F'\t' 'NR == 2 { printf "%.1f", $6 / 1024 }' "$RSS_TSV")
		echo "| daemon RSS ≤ 64 MiB with 10 000 devices and 1 000 000 flows (peak, VmHWM of the daemon's user space, bench/userspace -D) | $v MiB | $(awk -v v="$v" 'BEGIN { if (v <= 64) printf "met (%.1f MiB to spare)", 64 - v; else printf "**missed** by %.1f MiB (%.0f%% over)", v - 64, 100 * (v - 64) / 64 }') |"
		v=$(awk -v k="$RSS_REPLAY_KB" 'BEGIN { printf "%.1f", k / 1024 }')
		echo "| the same load through \`iotsense replay --state-dir\` (peak RSS of the whole process) | $v MiB | $(awk -v v="$v" 'BEGIN { if (v <= 64) printf "met (%.1f MiB to spare)", 64 - v; else printf "**missed** by %.1f MiB (%.0f%% over)", v - 64, 100 * (v - 64) / 64 }') |"
	fi
}

us_profile() {
	[ -s "$WORK/perf-us.data" ] || return 0
	echo "Where the pipeline's time goes: shares of the perf samples (DWARF call graphs, 300 Hz) whose stack is"
	echo "inside the feeding loop, both stages of one round together (the \`store\` stage's sender thread is not"
	echo "in them); functions at 4% inclusive or more. Self = the sampled function, inclusive = anywhere on the stack:"
	echo
	echo "| function | self | inclusive |"
	echo "|---|---:|---:|"
	perf script -i "$WORK/perf-us.data" -F ip,sym 2>/dev/null | awk '
	/^$/ { if (n && fed) { tot++; self[leaf]++; for (f in seen) incl[f]++ } n = 0; fed = 0; delete seen; next }
	{ n++; s = $2; if (n == 1) leaf = s; seen[s] = 1; if (s == "feed") fed = 1 }
	END {
		if (!tot) { print "| (no samples) | | |"; exit }
		for (f in incl) if (f !~ /^(\[unknown\]|feed|main|__libc_start.*|_start)$/ && 100 * incl[f] / tot >= 4)
			printf "| %s | %.0f%% | %.0f%% |\n", f, 100 * self[f] / tot, 100 * incl[f] / tot
		printf "~| %d samples | | |\n", tot
	}' | LC_ALL=C sort -t'|' -k4,4bnr -k3,3bnr | sed 's/^~//'
	echo
}

parts_sections() {
	if part userspace || part peers || part rss; then
		echo
		echo "## The captures (bench/gencap.py)"
		echo
		echo "Seeded and generated by hand (Python standard library, pcap written byte by byte): HTTP, SSH, Telnet,"
		echo "TLS, DNS, mDNS, SNMP, DHCP, SIP, NTP and SSDP between devices with MACs of real vendors (17 IoT"
		echo "profiles: Raspberry Pi, Espressif, Philips Hue, Sonos, Axis, Hikvision, Dahua, HP, Google, Siemens,"
		echo "Schneider, Nest, Amazon, Ubiquiti, Yealink, Polycom), TCP sessions with the 3-way handshake, payload"
		echo "both ways and FIN close, UDP request and answer, sessions interleaved; a quarter of the devices also"
		echo "on IPv6, 15% on VLAN 20. The generator is $DET_NOTE."
		[ -n "${MIXED_CAP:-}" ] && echo "Mixed capture: $(cat "$MIXED_CAP.log" | sed 's/^gencap: [^:]*: //'); sha256 $MIXED_SHA…."
		[ -n "${RSS_CAP:-}" ] && echo "RSS capture: $(cat "$RSS_CAP.log" | sed 's/^gencap: [^:]*: //') (DNS, NTP, SNMP, SIP OPTIONS: one flow each)."
	fi
	if part userspace && [ -s "$US_TSV" ]; then
		echo
		echo "## User space: decoded events per second per core (bench/userspace)"
		echo
		echo "The mixed capture goes once through the XDP program (BPF_PROG_TEST_RUN, as \`iotsense replay\`); its"
		echo "$(grep -o '[0-9]* records ([0-9.]* MiB)' "$WORK/userspace.log") are kept in memory with the end records of the flows still open, and fed to"
		echo "\`pipeline_event\` ($US_PASSES pass(es) a round, timestamps moved on each pass), $US_ROUNDS rounds, the two stages alternating"
		echo "first, each from a fresh inventory, alert engine and state dir, pinned to CPU $BENCH_CPU. **pipeline**: decoders,"
		echo "inventory, derived facts, alert engine, NDJSON records to /dev/null, the daemon's once-a-second work"
		echo "(alert flush, changed devices every 10 s). **store**: the same into the record tee, the SQLite store"
		echo "(commit every second) and one NDJSON-file output whose sender thread reads the outbox. Rate = events /"
		echo "CPU seconds of the process (every thread), so it is per core; the wall rate shows the machine's load."
		echo
		echo "| stage | events a round | events/s per core: median | min – max | events/s of wall time: median | observations a round | devices |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		for st in pipeline store; do
			read -r m lo hi <<<"$(us_rate $st 4)"
			read -r wm _ <<<"$(us_rate $st 5)"
			awk -F'\t' -v st=$st -v m="$m" -v lo="$lo" -v hi="$hi" -v wm="$wm" '$2 == st { e = $3; o = $6; d = $7 }
				END { printf "| %s | %d | **%d** | %d – %d | %d | %d | %d |\n", st, e, m, lo, hi, wm, o, d }' "$US_TSV"
		done
		echo
		us_profile
	fi
	if part peers && [ -s "$PEERS_DIR/peers.tsv" ]; then
		local npk
		npk=$PEER_PACKETS
		echo
		echo "## Peers on the same capture (bench/peers.sh)"
		echo
		echo "The mixed capture ($npk packets) read by each tool, each pinned to CPU $BENCH_CPU, $PEER_ROUNDS rounds in one session,"
		echo "interleaved (round r starts with the r-th tool), medians. Wall from \`date +%s%N\` around the run, CPU"
		echo "(user + system) and peak RSS from \`/usr/bin/time\` (ru_maxrss of the child). \`iotsense replay\` runs every"
		echo "packet through the real XDP program in the kernel (BPF_PROG_TEST_RUN) and the whole user-space pipeline,"
		echo "writing NDJSON to a file; ndpiReader writes its per-flow CSV, p0f its log, tshark the protocol hierarchy."
		echo
		echo "| tool | wall s: median (min – max) | CPU s: median | CPU µs per packet | peak RSS MiB | its wall / iotsense's: median (min – max) |"
		echo "|---|---:|---:|---:|---:|---:|"
		while read -r t; do
			read -r rm rlo rhi <<<"$(peer_ratio "$t")"
			awk -F'\t' -v t="$t" -v npk="$npk" -v rm="$rm" -v rlo="$rlo" -v rhi="$rhi" "$AWK_LIB"'NR > 1 && $2 == t { n++; w[n] = $3; c[n] = $4 + $5; m[n] = $6 / 1024 }
				END { printf "| %s | %.2f (%.2f – %.2f) | %.2f | %.2f | %.0f | %s |\n", t, med(w, n), mn(w, n), mx(w, n), med(c, n),
					1e6 * med(c, n) / npk, med(m, n), t == "iotsense" ? "1" : rm "× (" rlo " – " rhi ")" }' "$PEERS_DIR/peers.tsv"
		done <"$PEERS_DIR/tools"
		echo
		echo "What each extracted (its last run). The comparison: **flows** are distinct 5-tuples (iotsense: flow start"
		echo "records; ndpiReader: CSV rows; p0f: distinct client/server pairs it logged, TCP only), **hosts** the IP"
		echo "addresses in them, **flows with an application fact** the flows where the tool named something from the"
		echo "payload (iotsense: a decoder observation; ndpiReader: a detected L7 protocol, by DPI or by port guess),"
		echo "and **distinct facts** the distinct (host, key, value) triples it reports (iotsense: decoder"
		echo "observations such as SSH banner, HTTP server, SNMP sysDescr, DHCP vendor class, mDNS service, SIP user agent;"
		echo "ndpiReader: the protocol per server and the CSV's SNI, server info, JA3/JA3S, ALPN, HASSH and flow info"
		echo "fields; p0f: os, app, link, distance, uptime, language per host). tshark only counts protocols here."
		echo
		echo "| tool | what | n |"
		echo "|---|---|---:|"
		awk -F'\t' 'NR > 1 { printf "| %s | %s | %s |\n", $1, $2, $3 }' "$PEERS_DIR/facts.tsv"
		echo
		echo "<details><summary>Every run</summary>"
		echo
		echo "| round | tool | wall s | user s | sys s | max RSS KiB | exit |"
		echo "|---:|---|---:|---:|---:|---:|---:|"
		awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$PEERS_DIR/peers.tsv"
		echo
		echo "</details>"
	fi
	parts_why
	if part rss && [ -s "$RSS_TSV" ]; then
		echo
		echo "## RSS with $RSS_HOSTS devices and $RSS_FLOWS flows"
		echo
		echo "The RSS capture through the XDP program, its records straight from the ring buffer into the daemon's"
		echo "user space (\`bench/userspace -D\`: the pipeline, inventory, alert engine, record tee, SQLite store and one"
		echo "output's sender thread, with the daemon's once-a-second work), the flows still open swept at the end and"
		echo "every device written; then the same capture through \`iotsense replay --state-dir\` (the whole CLI"
		echo "process: libbpf, the BPF object, the ring's mapping). The daemon's API thread is not in either."
		echo
		echo "| run | packets | records | flow starts | devices | peak RSS (VmHWM) MiB | RSS at the end MiB | RSS before the first packet MiB |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|"
		awk -F'\t' 'NR == 2 { printf "| bench/userspace -D | %d | %d | %d | %d | **%.1f** | %.1f | %.1f |\n", $1, $2, $3, $5, $6 / 1024, $7 / 1024, $8 / 1024 }' "$RSS_TSV"
		echo "| iotsense replay --state-dir | | | $RSS_REPLAY_FLOWS | $RSS_REPLAY_DEVICES | **$(awk -v k="$RSS_REPLAY_KB" 'BEGIN { printf "%.1f", k / 1024 }')** | | |"
		echo
		echo "RSS before the first packet: the knowledge the inventory loads (fingerprint rules, the IEEE OUI registry,"
		echo "vulnerability feeds, recommendations) and the alert engine's rules, with the store open."
		awk -F'\t' 'NR == 2 && $9 { printf "At the end the inventory held %d identities (MACs and IPs) with %d attributes in %d attribute slots of\n", $9, $10, $12
			printf "%d bytes each (`struct inv_attr`: %s values inline, each with a 128-byte flow string): %.1f MiB in the\n", $11, "INV_VALUES_MAX", $12 * $11 / 1048576
			printf "slots alone, whatever the number of values they hold.\n" }' "$RSS_TSV"
	fi
}

# Where the rate targets are missed, by how much and why, from this run's own figures.
parts_why() {
	local rate us_ev pk rec iot_cpu ndpi_cpu p0f_cpu
	part userspace && [ -s "$US_TSV" ] || return 0
	read -r rate _ <<<"$(us_rate pipeline 4)"
	[ -n "$rate" ] || return 0
	us_ev=$(awk -v r="$rate" 'BEGIN { printf "%.1f", 1e6 / r }')
	read -r pk rec <<<"$(sed -n 's/.*: \([0-9]*\) packets, \([0-9]*\) records.*/\1 \2/p' "$WORK/userspace.log")"
	echo
	echo "### Why the rate targets are missed"
	echo
	echo "- User space: $us_ev µs of CPU per record in the \`pipeline\` stage, against the 1 µs the target allows. Each record"
	echo "  is rendered as a JSON line with snprintf-based helpers (\`jw_*\`, \`dec_format_addr\`), a payload record"
	echo "  also escapes its snippet byte by byte (\`put_escaped\`, \`jw_strn\`: \`print_payload\` is on), the inventory"
	echo "  and derived facts do string work per observation, and the device snapshots render every changed device"
	echo "  (\`put_device\`); the \`store\` stage adds one SQLite insert per record (\`store_put_ndjson\`). The profile"
	echo "  table above gives the shares for this run. No single hot spot is worth $(awk -v r="$rate" 'BEGIN { printf "%.0f", 1e6 / r }')×: reaching 1 M/s"
	echo "  needs records kept binary until an output asks for text, no payload escaping unless asked, and batched"
	echo "  store writes."
	if part peers && [ -s "$PEERS_DIR/peers.tsv" ]; then
		iot_cpu=$(awk -F'\t' "$AWK_LIB"'NR > 1 && $2 == "iotsense" { n++; c[n] = $4 + $5 } END { if (n) printf "%.2f", 1e6 * med(c, n) / '"$PEER_PACKETS"' }' "$PEERS_DIR/peers.tsv")
		ndpi_cpu=$(awk -F'\t' "$AWK_LIB"'NR > 1 && $2 == "ndpiReader" { n++; c[n] = $4 + $5 } END { if (n) printf "%.2f", 1e6 * med(c, n) / '"$PEER_PACKETS"' }' "$PEERS_DIR/peers.tsv")
		p0f_cpu=$(awk -F'\t' "$AWK_LIB"'NR > 1 && $2 == "p0f" { n++; c[n] = $4 + $5 } END { if (n) printf "%.2f", 1e6 * med(c, n) / '"$PEER_PACKETS"' }' "$PEERS_DIR/peers.tsv")
		if [ -n "$pk" ] && [ -n "$iot_cpu" ]; then
			awk -v pk="$pk" -v rec="$rec" -v ev="$us_ev" -v iot="$iot_cpu" -v nd="${ndpi_cpu:-0}" -v pf="${p0f_cpu:-0}" 'BEGIN {
				rpp = rec / pk; u = rpp * ev; k = iot - u
				printf "- Peers: `iotsense replay` spends %.2f µs of CPU per packet (ndpiReader %.2f, p0f %.2f). The capture makes\n", iot, nd, pf
				printf "  %.2f records per packet, so about %.2f µs of that is the user-space pipeline above and the other\n", rpp, u
				printf "  ~%.2f µs the rest: the BPF_PROG_TEST_RUN system call per packet, the ring-buffer read, and the start\n", (k > 0 ? k : 0)
				printf "  (rules, OUI registry, the BPF object; replay runs each packet through the kernel, the peers parse in\n"
				printf "  user space with no system call per packet). Even a free\n"
				printf "  pipeline would leave replay at about %.2f µs per packet, %.1f× ndpiReader'"'"'s CPU: the 5× target needs\n", (k > 0 ? k : 0), (nd > 0 ? k / nd : 0)
				printf "  batched test runs (a live-frames or multi-packet replay) as well as the pipeline work above.\n"
			}'
		fi
	fi
}
