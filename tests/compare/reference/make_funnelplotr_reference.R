# Reference values for saz_geboortezorg.compare.funnel, generated with FunnelPlotR.
#
# Run from the repository root (FunnelPlotR 0.6.0 installed, see README.md here):
#   Rscript tests/compare/reference/make_funnelplotr_reference.R
#
# Writes, into tests/compare/reference/funnelplotr/:
#   input_<dataset>.csv       the record-level input data (groups repeat: FunnelPlotR aggregates)
#   runs.csv                  one row per funnel_plot() call: settings, phi, tau2, target, ...
#   <run>_units.csv           FunnelPlotR's aggregated_data (per-unit table) for that call
#   <run>_limits.csv          FunnelPlotR's limits_lookup (limits on its grid) for that call, thinned
# Every number is written with 17 significant digits, so the CSVs round-trip doubles exactly.
# The Python tests only read these files: CI has no R.

suppressPackageStartupMessages(library(FunnelPlotR))

out_dir <- file.path("tests", "compare", "reference", "funnelplotr")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

fmt <- function(df) {
  for (nm in names(df)) {
    if (is.numeric(df[[nm]])) df[[nm]] <- sprintf("%.17g", df[[nm]])
    else df[[nm]] <- as.character(df[[nm]])
  }
  df
}
write_csv17 <- function(df, name) {
  write.csv(fmt(df), file.path(out_dir, name), row.names = FALSE, quote = TRUE)
}

# ---- input datasets (generated once, before any funnel_plot call: it calls set.seed(1)) ----
set.seed(20251123)
split_rows <- function(group, numerator, denominator) {
  # spread each unit over 1-3 records so that aggregation by group is exercised
  rows <- list()
  for (i in seq_along(group)) {
    k <- sample(1:3, 1)
    if (k == 1) {
      num <- numerator[i]; den <- denominator[i]
    } else {
      wn <- as.numeric(rmultinom(1, numerator[i], rep(1, k)))
      wd <- denominator[i] * c(rep(1 / k, k - 1), 1 - (k - 1) / k)
      num <- wn; den <- wd
    }
    rows[[i]] <- data.frame(unit = group[i], observed = num, expected = den)
  }
  do.call(rbind, rows)
}
unit_names <- function(n) sprintf("H%02d", seq_len(n))

datasets <- list()

# SR, overdispersed: expected deaths/events with a between-unit effect, one unit with 0 events
n <- 60
E <- round(exp(runif(n, log(2), log(600))), 6)
O <- rpois(n, E * exp(rnorm(n, 0, 0.25)))
E[1] <- 1.234567; O[1] <- 0
datasets$sr_od <- split_rows(unit_names(n), O, E)

# SR, few units, Poisson only (phi near 1), one unit with 0 events
n <- 12
E <- round(runif(n, 3, 80), 4)
O <- rpois(n, E); O[2] <- 0
datasets$sr_small <- data.frame(unit = unit_names(n), observed = O, expected = E)

# SR, under-dispersed: observed = expected rounded, so phi < 1 and FunnelPlotR falls back
n <- 25
E <- runif(n, 10, 300)
O <- round(E)
datasets$sr_nood <- data.frame(unit = unit_names(n), observed = O, expected = E)

# PR, overdispersed, small units, 0 events and 100% units
n <- 50
N <- round(exp(runif(n, log(5), log(2500))))
p <- plogis(qlogis(0.15) + rnorm(n, 0, 0.45))
X <- rbinom(n, N, p)
N[1] <- 5; X[1] <- 0
N[2] <- 3; X[2] <- 3
datasets$pr_od <- split_rows(unit_names(n), X, N)
datasets$pr_od$expected <- round(datasets$pr_od$expected)  # keep denominators integer
# re-derive numerators so that none exceeds its denominator after rounding
datasets$pr_od$observed <- pmin(datasets$pr_od$observed, datasets$pr_od$expected)

# PR, under-dispersed
n <- 30
N <- round(runif(n, 40, 900))
X <- round(0.3 * N)
datasets$pr_nood <- data.frame(unit = unit_names(n), observed = X, expected = N)

# PR, rare outcome in small units: lower arcsine limits fall below angle 0
n <- 20
N <- round(runif(n, 20, 400))
X <- rbinom(n, N, 0.01)
datasets$pr_rare <- data.frame(unit = unit_names(n), observed = X, expected = N)

# RC, overdispersed ratio of counts (e.g. events per exposure count)
n <- 40
D <- rpois(n, exp(runif(n, log(10), log(3000))))
Nn <- rpois(n, D * 0.4 * exp(rnorm(n, 0, 0.3)))
Nn[1] <- 0
datasets$rc_od <- split_rows(unit_names(n), Nn, D)
datasets$rc_od$expected <- round(datasets$rc_od$expected)

# RC, not overdispersed
n <- 20
D <- round(runif(n, 50, 2000))
Nn <- round(D * 0.8)
datasets$rc_nood <- data.frame(unit = unit_names(n), observed = Nn, expected = D)

# PR, rare outcome in small units only: even the largest unit's 99.8% lower limit has a
# negative arcsine angle; that unit has 0 events
n <- 15
N <- round(runif(n, 20, 150)); N[n] <- 150
X <- rbinom(n, N, 0.01); X[n] <- 0
datasets$pr_tiny <- data.frame(unit = unit_names(n), observed = X, expected = N)

for (nm in names(datasets)) write_csv17(datasets[[nm]], paste0("input_", nm, ".csv"))

# ---- runs ----
runs <- list()
run <- function(id, dataset, data_type, sr_method = "SHMI", trim_by = 0.1,
                multiplier = 1, adjusted = TRUE, shmi_rounding = TRUE) {
  d <- datasets[[dataset]]
  call_fp <- function(limit) {
    suppressMessages(funnel_plot(
      d, numerator = observed, denominator = expected, group = unit,
      data_type = data_type, sr_method = sr_method, trim_by = trim_by,
      multiplier = multiplier, limit = limit,
      draw_adjusted = adjusted, draw_unadjusted = !adjusted,
      SHMI_rounding = shmi_rounding, title = id))
  }
  fp95 <- call_fp(95)
  fp99 <- call_fp(99)
  agg <- fp99$aggregated_data
  agg$outlier95 <- fp95$aggregated_data$outlier[match(agg$group, fp95$aggregated_data$group)]
  agg$outlier99 <- agg$outlier
  agg$outlier <- NULL
  agg$highlight <- NULL
  write_csv17(agg, paste0(id, "_units.csv"))
  # the lookup has ~1000 grid rows plus the units' denominators: keep every 8th grid row,
  # the last one and all rows at a unit's denominator (values are pointwise, the subset is exact)
  lk <- fp99$limits_lookup
  keep <- (seq_len(nrow(lk)) %% 8 == 1) | (seq_len(nrow(lk)) == nrow(lk)) |
    (lk$number_seq %in% agg$denominator)
  write_csv17(lk[keep, ], paste0(id, "_limits.csv"))
  # target as funnel_plot() computes it (not returned by the package)
  a <- aggregate(list(n = d$observed, d = d$expected), by = list(g = d$unit), FUN = sum)
  target <- if (data_type == "SR") 1 else sum(a$n) / sum(a$d)
  runs[[id]] <<- data.frame(
    run = id, dataset = dataset, data_type = data_type,
    sr_method = if (data_type == "SR") sr_method else NA,
    trim_by = trim_by, multiplier = multiplier, draw_adjusted_in = adjusted,
    shmi_rounding = shmi_rounding,
    phi = fp99$phi, tau2 = fp99$tau2, draw_adjusted_out = fp99$draw_adjusted,
    target = target, n_outliers99 = nrow(fp99$outliers_data))
}

for (ds in c("sr_od", "sr_small", "sr_nood")) {
  for (m in c("SHMI", "CQC")) {
    for (adj in c(TRUE, FALSE)) {
      run(sprintf("%s_%s_%s", ds, tolower(m), if (adj) "adj" else "unadj"), ds, "SR",
          sr_method = m, adjusted = adj)
    }
  }
}
run("sr_od_shmi_adj_trim05_x100", "sr_od", "SR", "SHMI", trim_by = 0.05, multiplier = 100)
run("sr_od_shmi_adj_trim20", "sr_od", "SR", "SHMI", trim_by = 0.2)
run("sr_od_shmi_adj_trim15", "sr_od", "SR", "SHMI", trim_by = 0.15)
run("sr_od_cqc_adj_trim05_x100", "sr_od", "SR", "CQC", trim_by = 0.05, multiplier = 100)
run("sr_od_cqc_adj_trim20", "sr_od", "SR", "CQC", trim_by = 0.2)
run("sr_od_shmi_adj_norounding", "sr_od", "SR", "SHMI", shmi_rounding = FALSE)

for (ds in c("pr_od", "pr_nood", "pr_rare", "pr_tiny")) {
  for (adj in c(TRUE, FALSE)) {
    run(sprintf("%s_%s", ds, if (adj) "adj" else "unadj"), ds, "PR", adjusted = adj)
  }
}
run("pr_od_adj_trim20_x1000", "pr_od", "PR", trim_by = 0.2, multiplier = 1000)
run("pr_od_adj_trim05", "pr_od", "PR", trim_by = 0.05)

for (ds in c("rc_od", "rc_nood")) {
  for (adj in c(TRUE, FALSE)) {
    run(sprintf("%s_%s", ds, if (adj) "adj" else "unadj"), ds, "RC", adjusted = adj)
  }
}
run("rc_od_adj_trim20_x100", "rc_od", "RC", trim_by = 0.2, multiplier = 100)

write_csv17(do.call(rbind, runs), "runs.csv")

writeLines(c(
  paste("R:", R.version.string),
  paste("FunnelPlotR:", as.character(packageVersion("FunnelPlotR"))),
  paste("ggplot2:", as.character(packageVersion("ggplot2"))),
  paste("generated:", format(Sys.time(), tz = "UTC", usetz = TRUE))
), file.path(out_dir, "versions.txt"))
