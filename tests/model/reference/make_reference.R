# Reference values for saz_geboortezorg's case-mix engine, from R's glm and lme4::glmer.
#
# Inputs are written by make_inputs.py (Python, fixed seed); this script simulates
# nothing. Run from the repository root:
#   Rscript tests/model/reference/make_reference.R
# Outputs (CSV, 17 significant digits) go next to this script.

suppressPackageStartupMessages(library(lme4))
here <- "tests/model/reference"
d <- read.csv(file.path(here, "births.csv"), colClasses = c(
  hospital_id = "character", age_band = "character", parity_group = "character",
  prev_cs = "integer", bmi_band = "character", smoking = "character",
  cs = "integer", cost_total = "numeric"))
d$age_band <- relevel(factor(d$age_band), ref = "25_29")
d$parity_group <- relevel(factor(d$parity_group), ref = "0")
d$bmi_band <- relevel(factor(d$bmi_band), ref = "18.5_25")
d$smoking <- relevel(factor(d$smoking), ref = "no")
d$hospital_id <- factor(d$hospital_id)

fmt <- function(x) sprintf("%.17g", x)
write_coef <- function(fit, file, se = sqrt(diag(vcov(fit)))) {
  est <- if (inherits(fit, "merMod")) fixef(fit) else coef(fit)
  out <- data.frame(term = names(est), estimate = fmt(est), se = fmt(se[names(est)]))
  write.csv(out, file.path(here, file), row.names = FALSE, quote = TRUE)
}
write_expected <- function(fit, file) {
  e <- tapply(fitted(fit), d$hospital_id, sum)
  o <- tapply(if (family(fit)$family == "binomial") d$cs else d$cost_total, d$hospital_id, sum)
  out <- data.frame(unit = names(e), observed = fmt(o), expected = fmt(e))
  write.csv(out, file.path(here, file), row.names = FALSE, quote = TRUE)
}
tight <- glm.control(epsilon = 1e-14, maxit = 100)

# 1. Logistic model, main effects.
f1 <- cs ~ age_band + parity_group + prev_cs + bmi_band + smoking
g1 <- glm(f1, family = binomial, data = d, control = tight)
write_coef(g1, "glm_binomial_coef.csv")
write_expected(g1, "glm_binomial_expected.csv")

# c-statistic of model 1 with DeLong's standard error, on the records (placement values).
p1 <- fitted(g1)
x1 <- p1[d$cs == 1]
x0 <- p1[d$cs == 0]
v10 <- sapply(x1, function(a) mean((x0 < a) + 0.5 * (x0 == a)))
v01 <- sapply(x0, function(b) mean((x1 > b) + 0.5 * (x1 == b)))
auc <- mean(v10)
se_auc <- sqrt(var(v10) / length(x1) + var(v01) / length(x0))
w <- wilcox.test(x1, x0, exact = FALSE)$statistic[["W"]] / (length(x1) * length(x0))
write.csv(data.frame(c = fmt(auc), se = fmt(se_auc), wilcoxon = fmt(w)),
          file.path(here, "glm_binomial_cstat.csv"), row.names = FALSE)

# 2. Logistic model with an interaction.
g2 <- glm(cs ~ age_band + parity_group + prev_cs + smoking + prev_cs:smoking,
          family = binomial, data = d, control = tight)
write_coef(g2, "glm_interaction_coef.csv")

# 3. Gamma model with log link for cost (SEs use the Pearson dispersion, as summary.glm).
g3 <- glm(cost_total ~ age_band + parity_group + prev_cs, family = Gamma(link = "log"),
          data = d, control = tight)
s3 <- summary(g3)
write_coef(g3, "glm_gamma_coef.csv", se = s3$coefficients[, "Std. Error"])
write_expected(g3, "glm_gamma_expected.csv")
write.csv(data.frame(dispersion = fmt(s3$dispersion)), file.path(here, "glm_gamma_dispersion.csv"),
          row.names = FALSE)

# 4. Random-intercept logistic model, Laplace (nAGQ = 1), tight optimiser settings.
m4 <- glmer(update(f1, . ~ . + (1 | hospital_id)), family = binomial, data = d, nAGQ = 1,
            control = glmerControl(optimizer = "bobyqa",
                                   optCtrl = list(maxfun = 1e5, rhobeg = 1e-2, rhoend = 1e-10)))
write_coef(m4, "glmer_fixef.csv")
# Standard errors without the finite-difference Hessian (from the RX factor, i.e. the
# fixed-effect information conditional on theta and the conditional modes).
se_rx <- sqrt(diag(as.matrix(vcov(m4, use.hessian = FALSE))))
write.csv(data.frame(term = names(fixef(m4)), se_rx = fmt(se_rx)),
          file.path(here, "glmer_fixef_se_rx.csv"), row.names = FALSE, quote = TRUE)
re <- ranef(m4, condVar = TRUE)$hospital_id
pv <- attr(re, "postVar")[1, 1, ]
write.csv(data.frame(unit = rownames(re), mode = fmt(re[, 1]), cond_se = fmt(sqrt(pv))),
          file.path(here, "glmer_ranef.csv"), row.names = FALSE, quote = TRUE)
write.csv(data.frame(tau2 = fmt(getME(m4, "theta")^2), loglik = fmt(as.numeric(logLik(m4)))),
          file.path(here, "glmer_tau2.csv"), row.names = FALSE)

# 5. Random-intercept model with 40 practices of very different size.
s5 <- read.csv(file.path(here, "births_small_units.csv"), colClasses = c(
  practice_id = "character", age_band = "character", parity_group = "character",
  prev_cs = "integer", cs = "integer"))
s5$age_band <- relevel(factor(s5$age_band), ref = "25_34")
s5$parity_group <- relevel(factor(s5$parity_group), ref = "0")
m5 <- glmer(cs ~ age_band + parity_group + prev_cs + (1 | practice_id), family = binomial,
            data = s5, nAGQ = 1,
            control = glmerControl(optimizer = "bobyqa",
                                   optCtrl = list(maxfun = 1e5, rhobeg = 1e-2, rhoend = 1e-10)))
write_coef(m5, "glmer2_fixef.csv")
re5 <- ranef(m5, condVar = TRUE)$practice_id
write.csv(data.frame(unit = rownames(re5), mode = fmt(re5[, 1]),
                     cond_se = fmt(sqrt(attr(re5, "postVar")[1, 1, ]))),
          file.path(here, "glmer2_ranef.csv"), row.names = FALSE, quote = TRUE)
write.csv(data.frame(tau2 = fmt(getME(m5, "theta")^2), loglik = fmt(as.numeric(logLik(m5)))),
          file.path(here, "glmer2_tau2.csv"), row.names = FALSE)

writeLines(c(
  paste("R:", R.version.string),
  paste("lme4:", as.character(packageVersion("lme4"))),
  paste("Matrix:", as.character(packageVersion("Matrix"))),
  paste("generated:", format(Sys.time(), "%Y-%m-%d %H:%M %Z"))
), file.path(here, "versions.txt"))
