# Numbers for the benchmark reports (sourced, not run): one value per line on stdin.
# median: of an even count, the mean of the middle two (two rounds' templates: not simply the faster one)
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]
                                             else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 + 0.5 }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%d–%d", lo, hi; else print "-" }'; }
# A B [DECIMALS]: A/B, to 2 decimals unless told (a reset's 0.035× is neither 0.03× nor 0.04×)
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b > 0 && a ~ /^[0-9.]+$/) printf "%.*f×", d, a / b; else print "-" }'; }
