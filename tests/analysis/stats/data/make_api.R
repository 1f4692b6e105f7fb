# Regenerates the api*.csv fixtures from the data sets shipped with R's survey
# package (California Academic Performance Index, 2000; see ?api in R).
# Run from this directory: Rscript make_api.R
library(survey)
data(api)
keep <- c("cds", "stype", "snum", "dnum", "cnum", "api00", "api99", "growth",
          "sch.wide", "comp.imp", "awards", "meals", "ell", "mobility",
          "enroll", "api.stu", "avg.ed", "pw", "fpc")
write.csv(apistrat[, keep], "apistrat.csv", row.names = FALSE)
write.csv(apisrs[, keep], "apisrs.csv", row.names = FALSE)
write.csv(apiclus1[, keep], "apiclus1.csv", row.names = FALSE)
write.csv(apiclus2[, c(setdiff(keep, "fpc"), "fpc1", "fpc2")], "apiclus2.csv",
          row.names = FALSE)
