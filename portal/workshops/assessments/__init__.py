"""Annual assessments and tiered rewards (年度考核, 梯次奖补) of workshops, and their report."""
