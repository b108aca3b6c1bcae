#!/usr/bin/env Rscript
# The benchmark's R side: the same analysis as analysis.run() on the same data, timed.
#   Rscript bench.R DATA.csv MARGINS.csv SPEC.csv OUT.csv [EPSILON]
# EPSILON: rake's convergence bound (default 1e-4; bench/analyze_cli gives 1e-7 so the
# raked weights agree with surveyapp's to 1e-9).
# Prints "r_seconds <analysis seconds>" (reading the CSV is not timed).
suppressMessages(library(survey))
options(survey.lonely.psu = "certainty")
invisible(Sys.setlocale("LC_ALL", "C.UTF-8"))
a <- commandArgs(trailingOnly = TRUE)
spec <- read.csv(a[3], encoding = "UTF-8", stringsAsFactors = FALSE)
items <- spec[spec$kind == "item", ]
ov <- spec[spec$kind == "overall", ]
cls <- c(respondent_id = "character", district = "character", age_group = "character",
         gender = "character", period = "character")
d <- read.csv(a[1], encoding = "UTF-8", stringsAsFactors = FALSE, colClasses = cls)
m <- read.csv(a[2], encoding = "UTF-8", stringsAsFactors = FALSE)

t0 <- proc.time()[["elapsed"]]
# scoring: item scores, dimension scores (renormalised), index
dims <- unique(items$dimension)
D <- sapply(dims, function(k) {
  idx <- which(items$dimension == k)
  num <- 0; den <- 0
  for (j in idx) {
    s <- 100 * (d[[items$id[j]]] - items$min[j]) / (items$max[j] - items$min[j])
    ok <- !is.na(s)
    num <- num + ifelse(ok, s * items$weight[j], 0)
    den <- den + ok * items$weight[j]
  }
  ifelse(den > 0, num / den, NA)
})
dw <- items$dimension_weight[match(dims, items$dimension)]
A <- !is.na(D)
W <- matrix(dw, nrow(D), length(dims), byrow = TRUE)
den <- rowSums(A * W)
d$index <- ifelse(den > 0, rowSums(ifelse(A, D * W, 0)) / den, NA)
for (k in dims) d[[paste0("dim_", k)]] <- D[, k]
d$sat01 <- as.numeric(d[[ov$id[1]]] >= ov$threshold[1])
d$sat <- 100 * d$sat01
d <- d[!is.na(d$index), ]
# raking from weights 1
vars <- unique(m$variable)
d$one <- 1
des0 <- svydesign(ids = ~1, weights = ~one, data = d)
smarg <- lapply(vars, function(v) as.formula(paste0("~", v)))
pmarg <- lapply(vars, function(v) {
  x <- m[m$variable == v, c("category", "population")]
  names(x) <- c(v, "Freq")
  x
})
eps <- if (length(a) >= 5) as.numeric(a[5]) else 1e-4
r <- rake(des0, smarg, pmarg, control = list(maxit = 100, epsilon = eps, verbose = FALSE))
d$w <- as.numeric(weights(r))
des <- svydesign(ids = ~1, strata = ~district, weights = ~w, data = d)
out <- list()
for (q in c("index", "sat", paste0("dim_", dims))) {
  f <- as.formula(paste0("~", q))
  s <- svymean(f, des, na.rm = TRUE)
  out[[length(out) + 1]] <- data.frame(group = "all", quantity = q, estimate = coef(s)[[1]],
                                       se = SE(s)[[1]], ci_low = NA, ci_high = NA)
  b <- svyby(f, ~district, des, svymean, na.rm = TRUE)
  out[[length(out) + 1]] <- data.frame(group = b$district, quantity = q, estimate = coef(b),
                                       se = SE(b), ci_low = NA, ci_high = NA)
}
for (g in c("all", sort(unique(d$district)))) {
  sub <- if (g == "all") subset(des, !is.na(sat01)) else subset(des, district == g & !is.na(sat01))
  p <- svyciprop(~sat01, sub, method = "logit")
  ci <- confint(p)
  out[[length(out) + 1]] <- data.frame(group = g, quantity = "rate_ci", estimate = 100 * coef(p)[[1]],
                                       se = NA, ci_low = 100 * ci[1], ci_high = 100 * ci[2])
}
elapsed <- proc.time()[["elapsed"]] - t0
res <- do.call(rbind, out)
write.csv(res, a[4], row.names = FALSE, fileEncoding = "UTF-8", na = "")
cat("r_seconds", elapsed, "\n")
