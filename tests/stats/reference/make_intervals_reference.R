# Reference values for saz_geboortezorg/stats/intervals.py, from base R's stats package.
#   Wilson score interval  = prop.test(x, n, correct = FALSE)$conf.int
#   Clopper-Pearson        = binom.test(x, n)$conf.int
#   Exact Poisson (Garwood) = poisson.test(x)$conf.int
# Run from this folder:  Rscript make_intervals_reference.R
options(digits = 17)
cases <- data.frame(
  x = c(0, 0, 1, 3, 15, 50, 99, 100, 7, 1234),
  n = c(1, 20, 20, 12000, 100, 100, 100, 100, 9, 5000)
)
rows <- lapply(seq_len(nrow(cases)), function(i) {
  x <- cases$x[i]; n <- cases$n[i]
  w <- suppressWarnings(prop.test(x, n, correct = FALSE)$conf.int)
  b <- binom.test(x, n)$conf.int
  p <- poisson.test(x)$conf.int
  data.frame(x = x, n = n,
             wilson_lcl = w[1], wilson_ucl = w[2],
             exact_lcl = b[1], exact_ucl = b[2],
             poisson_lcl = p[1], poisson_ucl = p[2])
})
out <- do.call(rbind, rows)
write.csv(format(out, digits = 17, trim = TRUE), "intervals.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "\n")
