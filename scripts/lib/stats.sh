# Numbers for the benchmark reports (sourced, not run): one value per line on stdin.
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%d–%d", lo, hi; else print "-" }'; }
# A B [DECIMALS]: A/B, to 2 decimals unless told (a reset's 0.035× is neither 0.03× nor 0.04×)
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b > 0 && a ~ /^[0-9.]+$/) printf "%.*f×", d, a / b; else print "-" }'; }
