# Reference values for saz_geboortezorg/compare/equity.py (slope and relative index of
# inequality), computed independently in base R.
#   SII, RII:   lm() of the 0/1 outcome on each record's ridit (record-level data);
#               SII = fitted(0) - fitted(1), RII = fitted(0) / fitted(1).
#   Intervals:  var(a, b) with group rates as independent binomial proportions and the
#               ridits fixed: (X'N X)^-1 X'N V N X (X'N X)^-1, V = diag(p(1-p)/n);
#               RII by the delta method on log(a) - log(a + b) with the gradient taken
#               with respect to (a, b).
# Groups with no records are dropped before the ridits are computed.
# Run from this folder:  Rscript make_equity_reference.R
options(digits = 17)
cases <- list(
  five_groups = list(x = c(260, 180, 170, 150, 60), n = c(1200, 950, 1010, 880, 400)),
  with_empty_and_zero = list(x = c(0, 12, 20, 0, 3), n = c(50, 200, 300, 0, 120)),
  falling_gradient = list(x = c(5, 9, 14, 30), n = c(400, 380, 350, 300))
)
z <- qnorm(0.975)
rows <- list()
for (name in names(cases)) {
  x <- cases[[name]]$x; n <- cases[[name]]$n
  keep <- n > 0
  xs <- x[keep]; ns <- n[keep]
  ridit <- (cumsum(ns) - ns / 2) / sum(ns)
  y <- unlist(mapply(function(e, m) c(rep(1, e), rep(0, m - e)), xs, ns))
  r <- rep(ridit, ns)
  fit <- lm(y ~ r)
  a <- unname(coef(fit)[1]); b <- unname(coef(fit)[2])
  X <- cbind(1, ridit); N <- diag(ns); p <- xs / ns
  V <- diag(p * (1 - p) / ns)
  bread <- solve(t(X) %*% N %*% X)
  vc <- bread %*% t(X) %*% N %*% V %*% N %*% X %*% bread
  se_sii <- sqrt(vc[2, 2])
  g <- c(1 / a - 1 / (a + b), -1 / (a + b))
  se_log_rii <- sqrt(drop(t(g) %*% vc %*% g))
  rii <- a / (a + b)
  rows[[name]] <- data.frame(
    case = name, x = paste(x, collapse = ";"), n = paste(n, collapse = ";"),
    sii = -b, sii_lcl = -b - z * se_sii, sii_ucl = -b + z * se_sii,
    rii = rii, rii_lcl = rii * exp(-z * se_log_rii), rii_ucl = rii * exp(z * se_log_rii)
  )
}
out <- do.call(rbind, rows)
write.csv(format(out, digits = 17, trim = TRUE), "equity_sii.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "\n")
