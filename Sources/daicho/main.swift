import Daicho
import DaichoWorkload

print("daicho: under construction")
