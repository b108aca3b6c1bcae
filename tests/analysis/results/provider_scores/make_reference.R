#!/usr/bin/env Rscript
# Reference numbers for tests/analysis/test_provider_scores.py, from base R and metafor.
#
#   Rscript tests/analysis/results/provider_scores/make_reference.R
#
# Reads tallies_*.csv (made by make_data.py) and writes reference_*.csv, one row per
# provider, with the sector's fitted numbers repeated on each row:
#
# - alpha, beta, loglik: the beta-binomial prior by maximum marginal likelihood, written
#   out with lbeta() and maximised by optim() on (log alpha, log beta): BFGS from the
#   method-of-moments start, then Nelder-Mead, then BFGS again (reltol 1e-15); every
#   case here has its maximum inside the spec's box (checked below);
# - post_share, ci_lo, ci_hi: the posterior Beta(k + alpha, n - k + beta) mean and its
#   qbeta(0.025), qbeta(0.975);
# - within: the pooled within-provider variance of overall stars, sum over providers of
#   (stars_sq_sum - stars_sum^2 / n) over (N - P);
# - tau2, mu, mu_se: metafor::rma(yi = mean stars, vi = within / n, method = "DL");
# - blup, blup_se: metafor::blup() of that fit (the posterior mean of each provider's
#   mean stars and its SE, which includes the uncertainty of mu).
# Made with R 4.2.2 and metafor 3.8-1 (Debian: apt-get install r-base-core r-cran-metafor).

suppressMessages(library(metafor))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", args, value = TRUE))))

for (case in c("A", "B")) {
  d <- read.csv(file.path(here, sprintf("tallies_%s.csv", case)), stringsAsFactors = FALSE)
  n <- d$n; k <- d$satisfied
  nll <- function(x) {
    a <- exp(x[1]); b <- exp(x[2])
    -sum(lbeta(k + a, n - k + b) - lbeta(a, b))
  }
  p <- k / n
  m0 <- mean(p); v0 <- var(p)
  s0 <- max(m0 * (1 - m0) / v0 - 1, 0.5)
  x <- log(c(m0 * s0, (1 - m0) * s0))
  ctl <- list(reltol = 1e-15, maxit = 100000)
  x <- optim(x, nll, method = "BFGS", control = ctl)$par
  x <- optim(x, nll, method = "Nelder-Mead", control = ctl)$par
  fit <- optim(x, nll, method = "BFGS", control = ctl)
  a <- exp(fit$par[1]); b <- exp(fit$par[2])
  N <- sum(n); s <- a + b; m <- a / s
  stopifnot(s > 0.1, s < 10000, m > 0.5 / N, m < 1 - 0.5 / N)
  ybar <- d$stars_sum / n
  within <- sum(d$stars_sq_sum - d$stars_sum^2 / n) / (N - nrow(d))
  re <- rma(yi = ybar, vi = within / n, method = "DL")
  bl <- blup(re)
  out <- data.frame(
    id = d$id, alpha = a, beta = b, loglik = -fit$value,
    post_share = (k + a) / (n + a + b),
    ci_lo = qbeta(0.025, k + a, n - k + b), ci_hi = qbeta(0.975, k + a, n - k + b),
    within = within, tau2 = re$tau2, mu = as.numeric(re$beta), mu_se = re$se,
    blup = bl$pred, blup_se = bl$se
  )
  write.csv(out, file.path(here, sprintf("reference_%s.csv", case)), row.names = FALSE)
}
